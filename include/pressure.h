/* Pressure stall information (PSI, Linux 4.20 on): how long, in all, at
 * least one task of the WHOLE SYSTEM waited for a resource. classify
 * reports it per run; --workers auto uses the CPU figure to say that the
 * machine was busy while it measured. */
#ifndef CONCUR_PRESSURE_H
#define CONCUR_PRESSURE_H

/* The "total=" of the "some" line of /proc/pressure/<resource> ("cpu",
 * "io", "memory"), in seconds; NAN when the kernel does not offer it. */
double pressure_some_s(const char *resource);

#endif

/* runs: reading runs CSV by header name, grouping, baselines, and every
 * class of bad input with its FILE:LINE. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runs.h"

static enum cc_status read_text(struct runs *r, const char *text, const char *name,
                                struct cc_err *err)
{
    /* A real file: fmemopen refuses an empty buffer in some C libraries. */
    FILE *in = tmpfile();
    assert_non_null(in);
    fputs(text, in);
    rewind(in);
    enum cc_status status = runs_read_stream(r, in, name, err);
    fclose(in);
    return status;
}

static struct runs *read_ok(const char *text)
{
    struct runs *r = runs_alloc(NULL);
    struct cc_err err;
    assert_non_null(r);
    enum cc_status status = read_text(r, text, "t.csv", &err);
    if (status != CC_OK)
        fail_msg("unexpected error: %s", err.msg);
    runs_sort(r);
    return r;
}

/* The reason, and that it names the file and line. */
static void assert_refused(const char *text, const char *reason)
{
    struct runs *r = runs_alloc(NULL);
    struct cc_err err;
    assert_int_equal(read_text(r, text, "bad.csv", &err), CC_EINPUT);
    if (!strstr(err.msg, reason))
        fail_msg("message '%s' lacks '%s'", err.msg, reason);
    runs_free(r);
}

static void reads_by_header_name(void **state)
{
    (void)state;
    struct runs *r = read_ok("seconds,run,extra,workers,variant,experiment\n"
                             "1.5,1,x,1,serial,cpu\n"
                             "2.5,2,y,1,serial,cpu\n"
                             "0.75,1,z,2,omp,cpu\n");
    assert_int_equal(r->ngroups, 2);
    assert_int_equal(r->rows, 3);
    const struct runs_group *g = runs_find(r, "cpu", "serial", NULL, 1);
    assert_non_null(g);
    assert_int_equal(g->n, 2);
    assert_true(g->seconds[0] == 1.5 && g->seconds[1] == 2.5);
    g = runs_find(r, "cpu", "omp", NULL, 2);
    assert_non_null(g);
    assert_true(g->seconds[0] == 0.75);
    assert_null(runs_find(r, "cpu", "omp", NULL, 4));
    runs_free(r);
}

/* RFC 4180: quoted commas, doubled quotes, a quoted line break (which moves
 * the line numbers of later records on), CRLF line ends, a byte order mark. */
static void rfc4180_quoting(void **state)
{
    (void)state;
    struct runs *r = read_ok("\xEF\xBB\xBF" "experiment,variant,workers,run,seconds,note\r\n"
                             "io,\"sync\",1,1,2.0,\"a, \"\"quoted\"\" note\"\r\n"
                             "io,sync,1,2,\"3.0\",\"two\r\nlines\"\r\n"
                             "\r\n"
                             "io,\"thr,eads\",5,1,0.5,\r\n");
    assert_int_equal(r->ngroups, 2);
    assert_int_equal(runs_find(r, "io", "sync", NULL, 1)->n, 2);
    assert_non_null(runs_find(r, "io", "thr,eads", NULL, 5));
    runs_free(r);

    /* the bad row after a quoted line break is on physical line 4 */
    assert_refused("experiment,variant,workers,run,seconds,note\n"
                   "io,sync,1,1,2.0,\"two\nlines\"\n"
                   "io,sync,1,2,x,\n",
                   "bad.csv:4: seconds: 'x' is not a number");
}

static void several_files_pool_by_group(void **state)
{
    (void)state;
    struct runs *r = runs_alloc(NULL);
    struct cc_err err;
    assert_int_equal(read_text(r, "experiment,variant,workers,run,seconds\ncpu,omp,4,1,1\ncpu,serial,1,1,4\n",
                               "a.csv", &err), CC_OK);
    assert_int_equal(read_text(r, "run,seconds,experiment,variant,workers\n2,3,cpu,omp,4\n1,2,cpu,omp,2\n",
                               "b.csv", &err), CC_OK);
    runs_sort(r);
    assert_int_equal(r->ngroups, 3);
    /* table order: sweeps by first appearance (omp, then serial), workers up */
    assert_string_equal(r->groups[0].variant, "omp");
    assert_int_equal(r->groups[0].workers, 2);
    assert_int_equal(r->groups[1].workers, 4);
    assert_int_equal(r->groups[1].n, 2);
    assert_string_equal(r->groups[2].variant, "serial");
    runs_free(r);
}

static void failed_runs_are_counted_not_used(void **state)
{
    (void)state;
    struct runs *r = read_ok("experiment,variant,workers,run,seconds,ok\n"
                             "cpu,serial,1,1,1.0,1\n"
                             "cpu,serial,1,2,9.0,0\n"
                             "cpu,omp,2,1,9.0,0\n");
    assert_int_equal(r->rows, 3);
    assert_int_equal(r->failed, 2);
    assert_string_equal(r->first_failed, "t.csv:3");
    const struct runs_group *g = runs_find(r, "cpu", "serial", NULL, 1);
    assert_int_equal(g->n, 1);
    assert_int_equal(g->failed, 1);
    g = runs_find(r, "cpu", "omp", NULL, 2);
    assert_non_null(g);  /* a group of failed runs only is still listed */
    assert_int_equal(g->n, 0);
    assert_int_equal(g->failed, 1);
    runs_free(r);
}

static void grouping_by_an_extra_column(void **state)
{
    (void)state;
    struct runs *r = runs_alloc("decomposition");
    struct cc_err err;
    assert_int_equal(read_text(r, "experiment,variant,workers,run,seconds,decomposition\n"
                                  "cpu,omp,2,1,1,split\ncpu,omp,2,1,2,map\ncpu,omp,2,2,3,split\n",
                               "t.csv", &err), CC_OK);
    assert_int_equal(r->ngroups, 2);
    assert_int_equal(runs_find(r, "cpu", "omp", "split", 2)->n, 2);
    assert_int_equal(runs_find(r, "cpu", "omp", "map", 2)->n, 1);
    assert_int_equal(r->nsweeps, 2);
    assert_int_equal(read_text(r, "experiment,variant,workers,run,seconds\ncpu,omp,2,1,1\n", "u.csv", &err),
                     CC_EINPUT);
    assert_string_equal(err.msg, "u.csv:1: missing column 'decomposition' named by --by");
    runs_free(r);
}

static void required_columns(void **state)
{
    (void)state;
    assert_true(runs_required_column("workers"));
    assert_true(runs_required_column("seconds"));
    assert_false(runs_required_column("decomposition"));
    assert_false(runs_required_column("ok"));
}

static void baselines(void **state)
{
    (void)state;
    struct runs *r = read_ok("experiment,variant,workers,run,seconds\n"
                             "cpu,omp,1,1,1\n"
                             "cpu,serial,2,1,1\n"
                             "cpu,serial,1,1,1\n"
                             "io,threads,5,1,1\n"
                             "io,sync,1,1,1\n"
                             "gpu,cuda,1,1,1\n");
    const struct runs_group *b = runs_baseline(r, "cpu", NULL, 0);
    assert_string_equal(b->variant, "serial");
    assert_int_equal(b->workers, 1);
    assert_string_equal(runs_baseline(r, "io", NULL, 0)->variant, "sync");
    assert_null(runs_baseline(r, "gpu", NULL, 0));
    assert_string_equal(runs_baseline(r, "cpu", "omp", 0)->variant, "omp");
    assert_int_equal(runs_baseline(r, "cpu", "serial", 2)->workers, 2);
    assert_null(runs_baseline(r, "cpu", "serial", 3));
    assert_null(runs_baseline(r, "io", "omp", 0));
    runs_free(r);
}

static void missing_column(void **state)
{
    (void)state;
    assert_refused("experiment,variant,workers,run\ncpu,serial,1,1\n",
                   "bad.csv:1: missing required column 'seconds'");
    assert_refused("variant,workers,run,seconds\nserial,1,1,1\n",
                   "bad.csv:1: missing required column 'experiment'");
}

static void empty_and_header_only(void **state)
{
    (void)state;
    assert_refused("", "bad.csv:1: empty file");
    assert_refused("\n\n", "bad.csv:1: empty file");
    assert_refused("experiment,variant,workers,run,seconds\n", "bad.csv:1: header only, no runs");
    assert_refused("experiment,variant,workers,run,seconds", "bad.csv:1: header only, no runs");
    assert_refused("\nexperiment,variant,workers,run,seconds\n\n\n", "bad.csv:2: header only, no runs");
}

static void ragged_rows(void **state)
{
    (void)state;
    assert_refused("experiment,variant,workers,run,seconds\ncpu,serial,1,1,1\ncpu,serial,1,2\n",
                   "bad.csv:3: 4 fields, but the header has 5");
    assert_refused("experiment,variant,workers,run,seconds\ncpu,serial,1,1,1,7\n",
                   "bad.csv:2: 6 fields, but the header has 5");
}

static void bad_seconds(void **state)
{
    (void)state;
    const char *head = "experiment,variant,workers,run,seconds\n";
    char text[256];
    const struct { const char *value, *reason; } cases[] = {
        {"abc", "bad.csv:2: seconds: 'abc' is not a number"},
        {"-1.5", "bad.csv:2: seconds: '-1.5' is negative"},
        {"", "bad.csv:2: seconds: empty value"},
        {"nan", "bad.csv:2: seconds: 'nan' is not a number"},
        {"inf", "bad.csv:2: seconds: 'inf' is not a number"},
        {"1e999", "bad.csv:2: seconds: '1e999' is out of range"},
        {"0x10", "bad.csv:2: seconds: '0x10' is not a number"},
        {" 1", "bad.csv:2: seconds: ' 1' is not a number"},
        {"1.5s", "bad.csv:2: seconds: '1.5s' is not a number"},
        {"1..5", "bad.csv:2: seconds: '1..5' is not a number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(text, sizeof text, "%scpu,serial,1,1,%s\n", head, cases[i].value);
        assert_refused(text, cases[i].reason);
    }
    /* exponent forms and zero are times */
    struct runs *r = read_ok("experiment,variant,workers,run,seconds\ncpu,serial,1,1,1.5e-3\ncpu,serial,1,2,0\n");
    assert_true(r->groups[0].seconds[0] == 1.5e-3);
    runs_free(r);
}

static void bad_workers_run_and_ok(void **state)
{
    (void)state;
    assert_refused("experiment,variant,workers,run,seconds\ncpu,omp,2.5,1,1\n",
                   "bad.csv:2: workers: '2.5' is not a whole number");
    assert_refused("experiment,variant,workers,run,seconds\ncpu,omp,four,1,1\n",
                   "bad.csv:2: workers: 'four' is not a number");
    assert_refused("experiment,variant,workers,run,seconds\ncpu,omp,0,1,1\n",
                   "bad.csv:2: workers: '0' must be at least 1");
    assert_refused("experiment,variant,workers,run,seconds\ncpu,omp,-2,1,1\n",
                   "bad.csv:2: workers: '-2' is negative");
    assert_refused("experiment,variant,workers,run,seconds\ncpu,omp,2,x,1\n",
                   "bad.csv:2: run: 'x' is not a number");
    assert_refused("experiment,variant,workers,run,seconds,ok\ncpu,omp,2,1,1,yes\n",
                   "bad.csv:2: ok: 'yes' must be 1 or 0");
    assert_refused("experiment,variant,workers,run,seconds\n,omp,2,1,1\n",
                   "bad.csv:2: experiment: empty value");
    assert_refused("experiment,variant,workers,run,seconds\ncpu,,2,1,1\n",
                   "bad.csv:2: variant: empty value");
}

static void malformed_csv(void **state)
{
    (void)state;
    assert_refused("experiment,variant,workers,run,seconds\ncpu,\"omp,2,1,1\n",
                   "bad.csv:2: unterminated quoted field");
    assert_refused("experiment,variant,workers,run,seconds\ncpu,\"omp\"x,2,1,1\n",
                   "bad.csv:2: text after a closing quote in field 2");
    assert_refused("experiment,variant,workers,run,seconds\ncpu,om\"p,2,1,1\n",
                   "bad.csv:2: quote inside unquoted field 2");
    assert_refused("experiment,variant,workers,run,seconds,run\n",
                   "bad.csv:1: column 'run' appears twice in the header");
}

static void unreadable_file(void **state)
{
    (void)state;
    struct runs *r = runs_alloc(NULL);
    struct cc_err err;
    assert_int_equal(runs_read_file(r, "/nonexistent/runs.csv", &err), CC_EINPUT);
    assert_string_equal(err.msg, "/nonexistent/runs.csv: cannot open: No such file or directory");
    assert_int_equal(runs_read_file(r, "/", &err), CC_EINPUT);
    assert_non_null(strstr(err.msg, "/:1: read error"));
    runs_free(r);
}

/* The serial baselines by name: serial (cpu) and sync (io), nothing else. */
static void serial_variants(void **state)
{
    (void)state;
    assert_true(runs_serial_variant(RUNS_VARIANT_SERIAL));
    assert_true(runs_serial_variant(RUNS_VARIANT_SYNC));
    assert_true(runs_serial_variant("serial"));
    assert_true(runs_serial_variant("sync"));
    assert_false(runs_serial_variant("omp"));
    assert_false(runs_serial_variant("Serial"));
    assert_false(runs_serial_variant(""));
    assert_string_equal(RUNS_EXPERIMENT_IO, "io");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* runs_load: every file pooled into one sorted set; an error names the file
 * and leaves no set behind. */
static void load_pools_files_in_order(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_runs.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char a[64], b[64], bad[64], missing[64];
    snprintf(a, sizeof a, "%s/a.csv", dir);
    snprintf(b, sizeof b, "%s/b.csv", dir);
    snprintf(bad, sizeof bad, "%s/bad.csv", dir);
    snprintf(missing, sizeof missing, "%s/missing.csv", dir);
    write_file(a, "experiment,variant,workers,run,seconds\ncpu,omp,4,1,0.3\ncpu,omp,2,1,0.5\n");
    write_file(b, "experiment,variant,workers,run,seconds\ncpu,omp,2,2,0.6\n");
    write_file(bad, "experiment,variant,workers,run\ncpu,omp,2,1\n");

    struct runs *r = (struct runs *)1;
    struct cc_err err;
    char *both[] = {a, b};
    assert_int_equal(runs_load(NULL, both, 2, &r, &err), CC_OK);
    assert_non_null(r);
    assert_int_equal(r->rows, 3);
    assert_int_equal(r->ngroups, 2);
    const struct runs_group *g = runs_find(r, "cpu", "omp", NULL, 2);
    assert_non_null(g);
    assert_int_equal(g->n, 2);
    /* sorted: 2 workers before 4, though the file had 4 first */
    assert_int_equal(r->groups[0].workers, 2);
    runs_free(r);

    char *with_bad[] = {a, bad};
    r = (struct runs *)1;
    assert_int_equal(runs_load(NULL, with_bad, 2, &r, &err), CC_EINPUT);
    assert_null(r);
    assert_non_null(strstr(err.msg, "bad.csv"));
    char *absent[] = {missing};
    r = (struct runs *)1;
    assert_int_not_equal(runs_load(NULL, absent, 1, &r, &err), CC_OK);
    assert_null(r);
    assert_non_null(strstr(err.msg, "missing.csv"));

    remove(a);
    remove(b);
    remove(bad);
    rmdir(dir);
}

/* Two sets hold the same runs the same way: groups in the same order with
 * the same keys, times, failures and marks, and the same counts. */
static void assert_same_runs(const struct runs *a, const struct runs *b)
{
    assert_int_equal(a->ngroups, b->ngroups);
    assert_int_equal(a->nsweeps, b->nsweeps);
    assert_int_equal(a->rows, b->rows);
    assert_int_equal(a->failed, b->failed);
    assert_string_equal(a->first_failed, b->first_failed);
    assert_int_equal(a->duplicate_runs, b->duplicate_runs);
    assert_string_equal(a->first_duplicate, b->first_duplicate);
    for (size_t i = 0; i < a->ngroups; i++) {
        const struct runs_group *g = &a->groups[i], *h = &b->groups[i];
        assert_true(runs_same_group(g, h));
        assert_int_equal(g->n, h->n);
        assert_memory_equal(g->seconds, h->seconds, g->n * sizeof *g->seconds);
        assert_int_equal(g->failed, h->failed);
        assert_int_equal(g->sweep, h->sweep);
        assert_int_equal(g->oversubscribed, h->oversubscribed);
        assert_int_equal(g->baseline_workers, h->baseline_workers);
    }
}

/* runs_regroup: the kept records grouped by another column give what
 * reading the input again with that column gives, messages included, and
 * outlive the set they were read into; a set keeps them only when asked. */
static void regroup_equals_reading_again(void **state)
{
    (void)state;
    static const char *const text[] = {
        "experiment,variant,workers,run,seconds,ok,items,oversubscribed,baseline_workers\r\n"
        "io,sync,1,1,1.5,1,10,0,1\r\n"
        "io,sync,1,2,1.6,1,20,0,1\r\n"
        "\"io\",\"th,reads\",4,1,0.5,1,10,1,1\r\n"
        "io,\"th,reads\",4,1,0.55,1,10,1,1\r\n"    /* a duplicate run */
        "io,\"th,reads\",4,2,9,0,20,0,1\r\n",      /* failed */
        "items,seconds,run,workers,variant,experiment\n"
        "10,0.45,1,4,\"th,reads\",io\n"
        "30,0.7,1,2,\"th,reads\",io\n",
    };
    const char *const names[] = {"a.csv", "b.csv"};
    struct runs *plain = runs_alloc(NULL), *by_items = runs_alloc("items");
    struct cc_err err;
    runs_keep_records(plain);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(read_text(plain, text[i], names[i], &err), CC_OK);
        assert_int_equal(read_text(by_items, text[i], names[i], &err), CC_OK);
    }
    runs_sort(plain);
    runs_sort(by_items);

    struct runs *again = NULL, *items = NULL, *regrouped = (struct runs *)1;
    assert_int_equal(runs_regroup(plain, NULL, &again, &err), CC_OK);
    assert_same_runs(plain, again);
    assert_int_equal(runs_regroup(plain, "items", &items, &err), CC_OK);
    runs_free(plain);  /* the records stay with the sets made from them */
    assert_same_runs(by_items, items);
    assert_int_equal(items->ngroups, 5);
    assert_int_equal(items->duplicate_runs, 1);
    assert_string_equal(items->first_failed, "a.csv:6");

    /* a set that kept nothing cannot be regrouped */
    assert_int_equal(runs_regroup(by_items, NULL, &regrouped, &err), CC_ESYS);
    assert_null(regrouped);

    /* a column one file lacks: the message reading would give */
    struct runs *bad = runs_alloc("oversubscribed");
    regrouped = (struct runs *)1;
    struct cc_err read_err;
    assert_int_equal(read_text(bad, text[0], names[0], &read_err), CC_OK);
    assert_int_equal(read_text(bad, text[1], names[1], &read_err), CC_EINPUT);
    assert_int_equal(runs_regroup(items, "oversubscribed", &regrouped, &err), CC_EINPUT);
    assert_null(regrouped);
    assert_string_equal(err.msg, read_err.msg);
    assert_non_null(strstr(err.msg, "b.csv:1"));

    /* a regrouped set is not read into: others share its records */
    assert_int_equal(read_text(again, text[1], names[1], &err), CC_ESYS);
    runs_free(bad);
    runs_free(by_items);
    runs_free(items);
    runs_free(again);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(load_pools_files_in_order),
        cmocka_unit_test(serial_variants),
        cmocka_unit_test(reads_by_header_name),
        cmocka_unit_test(rfc4180_quoting),
        cmocka_unit_test(several_files_pool_by_group),
        cmocka_unit_test(failed_runs_are_counted_not_used),
        cmocka_unit_test(grouping_by_an_extra_column),
        cmocka_unit_test(required_columns),
        cmocka_unit_test(baselines),
        cmocka_unit_test(missing_column),
        cmocka_unit_test(empty_and_header_only),
        cmocka_unit_test(ragged_rows),
        cmocka_unit_test(bad_seconds),
        cmocka_unit_test(bad_workers_run_and_ok),
        cmocka_unit_test(malformed_csv),
        cmocka_unit_test(unreadable_file),
        cmocka_unit_test(regroup_equals_reading_again),
    };
    return cmocka_run_group_tests_name("runs", tests, NULL, NULL);
}

/* concur merge: several runs CSVs (or results folders: their runs.csv) into
 * one table, the header once, the rows as they are. The job scripts append
 * each step to runs.csv with it, count the runs with it, and users pool the
 * folders of several jobs with it; no CSV ever goes through awk. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cli.h"
#include "grow.h"
#include "report.h"
#include "runs.h"

static const char usage[] =
    "Usage: concur merge [options] RESULTS_DIR|FILE.csv|-...\n"
    "\n"
    "Writes the runs of every input as one CSV: the header once, then each\n"
    "input's rows in order. A folder stands for its runs.csv. Every input must\n"
    "have the same header (the same columns in the same order); when one\n"
    "differs nothing is written and both headers are named. '-' is standard\n"
    "input.\n"
    "\n"
    "  --label        add a column `job`: the folder each row came from\n"
    "  --renumber     `run` goes on counting per (experiment, variant, workers)\n"
    "                 across the inputs and `sequence` goes on from the largest\n"
    "                 before, so that sweeps run one after another read as one\n"
    "  -o FILE        write FILE (atomically: a temporary renamed over it)\n"
    "                 instead of standard output\n"
    "  --append       with -o: FILE's own rows first (a missing FILE is empty)\n"
    "  --count        print \"ROWS FAILED\" (data rows; rows with ok other than\n"
    "                 1) instead of the table\n"
    "  --column NAME  print that column's values instead, one per line: a\n"
    "                 column by its name for scripts, quoting understood\n"
    "  -h, --help     this help\n"
    "\n"
    "Exit status: 0 merged; 2 bad usage, an unreadable input, or headers that\n"
    "differ (nothing written).\n";

struct options {
    bool label, renumber, append, count;
    const char *out, *column;
};

/* Every row of every input, as text. */
struct table {
    char **header;
    size_t ncols;
    char ***rows;      /* ncols fields each (plus the label when asked) */
    size_t nrows, cap;
    size_t *file_start; /* index of each input's first row */
    int col_ok, col_run, col_seq, col_key[3];
};

static void free_fields(char **f, size_t n)
{
    if (!f)
        return;
    for (size_t i = 0; i < n; i++)
        free(f[i]);
    free(f);
}

static char **copy_record(const struct runs_csv *c, size_t n, const char *label)
{
    char **f = calloc(n + 1, sizeof *f);
    if (!f)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(f[i] = strdup(runs_csv_field(c, i))))
            return free_fields(f, n + 1), NULL;
    if (label && !(f[n] = strdup(label)))
        return free_fields(f, n + 1), NULL;
    return f;
}

/* "a,b,c": a header as one line, for the message that names two. */
static void header_text(char **h, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "," : "", h[i]);
}

/* The runs CSV of an argument: DIR/runs.csv, or the file itself; and the
 * name of the folder it is in (for --label). */
static enum cc_status input_path(const char *arg, char **path, char **job, struct cc_err *err)
{
    struct stat st;
    if (!strcmp(arg, "-")) {
        *path = strdup("-");
        *job = strdup("stdin");
        return *path && *job ? CC_OK : cc_error(err, CC_ESYS, "out of memory");
    }
    if (stat(arg, &st) != 0)
        return cc_error(err, CC_EINPUT, "'%s': no such folder or file", arg);
    size_t len = strlen(arg);
    if (S_ISDIR(st.st_mode)) {
        *path = malloc(len + sizeof "/runs.csv");
        if (!*path)
            return cc_error(err, CC_ESYS, "out of memory");
        snprintf(*path, len + sizeof "/runs.csv", "%s/runs.csv", arg);
    } else if (!(*path = strdup(arg))) {
        return cc_error(err, CC_ESYS, "out of memory");
    }
    /* the last component of the folder that holds the file */
    char *copy = strdup(*path);
    if (!copy)
        return cc_error(err, CC_ESYS, "out of memory");
    char *slash = strrchr(copy, '/');
    const char *dir = ".";
    if (slash) {
        while (slash > copy && slash[-1] == '/')
            slash--;
        *slash = '\0';
        dir = *copy ? copy : "/";
    }
    char *real = realpath(dir, NULL);
    const char *name = real ? real : dir;
    const char *base = strrchr(name, '/');
    *job = strdup(base && base[1] ? base + 1 : name);
    free(real);
    free(copy);
    return *job ? CC_OK : cc_error(err, CC_ESYS, "out of memory");
}

static int column_of(const struct table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->header[i], name))
            return (int)i;
    return -1;
}

/* Reads one input into t; missing_ok: a file that does not exist (or is
 * empty) adds nothing (--append's target). */
static enum cc_status read_input(struct table *t, const char *path, const char *label,
                                 bool missing_ok, struct cc_err *err)
{
    bool is_stdin = !strcmp(path, "-");
    FILE *in = is_stdin ? stdin : fopen(path, "rb");
    if (!in) {
        if (missing_ok && errno == ENOENT)
            return CC_OK;
        return cc_error(err, CC_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    }
    struct runs_csv *c = runs_csv_open(in, path);
    enum cc_status status = c ? CC_OK : cc_error(err, CC_ESYS, "out of memory");
    unsigned long line = 0;
    bool got = false;
    if (status == CC_OK)
        status = runs_csv_next(c, &got, &line, err);
    if (status == CC_OK && !got && !missing_ok)
        status = cc_error(err, CC_EINPUT, "%s: empty (no header)", path);
    if (status == CC_OK && got) {
        size_t n = runs_csv_nfields(c);
        if (!t->header) {
            t->ncols = n;
            if (!(t->header = copy_record(c, n, NULL)))
                status = cc_error(err, CC_ESYS, "out of memory");
        } else {
            bool same = n == t->ncols;
            for (size_t i = 0; same && i < n; i++)
                same = !strcmp(runs_csv_field(c, i), t->header[i]);
            if (!same) {
                char mine[1024], first[1024];
                char **h = copy_record(c, n, NULL);
                header_text(h ? h : t->header, h ? n : 0, mine, sizeof mine);
                header_text(t->header, t->ncols, first, sizeof first);
                free_fields(h, n + 1);
                status = cc_error(err, CC_EINPUT,
                                  "'%s' has other columns than the first input: '%s' against '%s' "
                                  "(merge results of one kind: cpu with cpu, io with io)",
                                  path, mine, first);
            }
        }
    }
    while (status == CC_OK && got) {
        if ((status = runs_csv_next(c, &got, &line, err)) != CC_OK || !got)
            break;
        if (runs_csv_nfields(c) != t->ncols) {
            status = cc_error(err, CC_EINPUT, "%s:%lu: %zu fields, the header has %zu", path, line,
                              runs_csv_nfields(c), t->ncols);
            break;
        }
        char ***rows = grow(t->rows, &t->cap, t->nrows + 1, sizeof *rows, 64);
        if (!rows) {
            status = cc_error(err, CC_ESYS, "out of memory");
            break;
        }
        t->rows = rows;
        if (!(t->rows[t->nrows] = copy_record(c, t->ncols, label))) {
            status = cc_error(err, CC_ESYS, "out of memory");
            break;
        }
        t->nrows++;
    }
    runs_csv_close(c);
    if (!is_stdin)
        fclose(in);
    return status;
}

static bool parse_count(const char *text, unsigned long long *out)
{
    char *end;
    if (!*text || strspn(text, "0123456789") != strlen(text))
        return false;
    errno = 0;
    *out = strtoull(text, &end, 10);
    return errno == 0;
}

static bool same_key(const struct table *t, char **a, char **b)
{
    for (int k = 0; k < 3; k++)
        if (strcmp(a[t->col_key[k]], b[t->col_key[k]]))
            return false;
    return true;
}

/* --renumber: the runs of input k go on after those of inputs 0..k-1, per
 * group; sequence after the largest sequence of those inputs. */
static enum cc_status renumber(struct table *t, size_t ninputs, struct cc_err *err)
{
    static const char *const key[3] = {"experiment", "variant", "workers"};
    for (int k = 0; k < 3; k++)
        if ((t->col_key[k] = column_of(t, key[k])) < 0)
            return cc_error(err, CC_EINPUT, "--renumber: no column '%s'", key[k]);
    if ((t->col_run = column_of(t, "run")) < 0)
        return cc_error(err, CC_EINPUT, "--renumber: no column 'run'");
    t->col_seq = column_of(t, "sequence");

    unsigned long long seq_before = 0, seq_max = 0;
    for (size_t f = 0; f < ninputs; f++) {
        size_t from = t->file_start[f], to = f + 1 < ninputs ? t->file_start[f + 1] : t->nrows;
        for (size_t i = from; i < to; i++) {
            char **row = t->rows[i];
            unsigned long long run, before = 0, v;
            if (!parse_count(row[t->col_run], &run))
                return cc_error(err, CC_EINPUT, "--renumber: run '%s' is not a whole number", row[t->col_run]);
            /* the largest run of this group in the earlier inputs */
            for (size_t j = 0; j < from; j++)
                if (same_key(t, t->rows[j], row) && parse_count(t->rows[j][t->col_run], &v) && v > before)
                    before = v;
            char buf[32];
            snprintf(buf, sizeof buf, "%llu", run + before);
            char *copy = strdup(buf);
            if (!copy)
                return cc_error(err, CC_ESYS, "out of memory");
            free(row[t->col_run]);
            row[t->col_run] = copy;
            if (t->col_seq >= 0 && parse_count(row[t->col_seq], &v)) {
                snprintf(buf, sizeof buf, "%llu", v + seq_before);
                if (v + seq_before > seq_max)
                    seq_max = v + seq_before;
                if (!(copy = strdup(buf)))
                    return cc_error(err, CC_ESYS, "out of memory");
                free(row[t->col_seq]);
                row[t->col_seq] = copy;
            }
        }
        seq_before = seq_max;
    }
    return CC_OK;
}

static void write_table(FILE *out, const struct table *t, bool label)
{
    size_t n = t->ncols + (label ? 1 : 0);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        report_csv_field(out, i < t->ncols ? t->header[i] : "job");
    }
    fputc('\n', out);
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t i = 0; i < n; i++) {
            if (i)
                fputc(',', out);
            report_csv_field(out, t->rows[r][i]);
        }
        fputc('\n', out);
    }
}

/* Replaced whole, never half written (atomic_file.h). */
static enum cc_status write_file(const char *path, const struct table *t, bool label, struct cc_err *err)
{
    struct atomic_file a;
    enum cc_status status = atomic_file_open(&a, "-o", path, err);
    if (status != CC_OK)
        return status;
    write_table(a.out, t, label);
    return atomic_file_commit(&a, err);
}

static enum cc_status parse_options(int argc, char **argv, struct options *o, bool *help,
                                    struct cc_err *err)
{
    static const struct option longs[] = {
        {"label", no_argument, NULL, 'l'},  {"renumber", no_argument, NULL, 'r'},
        {"append", no_argument, NULL, 'a'}, {"count", no_argument, NULL, 'c'},
        {"out", required_argument, NULL, 'o'}, {"column", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    *o = (struct options){0};
    optind = 1;
    while ((ch = getopt_long(argc, argv, "+:o:h", longs, NULL)) != -1) {
        switch (ch) {
        case 'l': o->label = true; break;
        case 'r': o->renumber = true; break;
        case 'a': o->append = true; break;
        case 'c': o->count = true; break;
        case 'o': o->out = optarg; break;
        case 'k': o->column = optarg; break;
        case 'h': *help = true; return CC_OK;
        default: return cli_option_error("merge", ch, argv, longs, err);
        }
    }
    if (optind >= argc)
        return cc_error(err, CC_EINPUT, "no input (RESULTS_DIR or FILE.csv); see concur merge --help");
    if (o->append && !o->out)
        return cc_error(err, CC_EINPUT, "--append needs -o FILE");
    return CC_OK;
}

int cmd_merge(int argc, char **argv)
{
    struct options o;
    struct cc_err err = {{0}};
    bool help = false;
    enum cc_status status = parse_options(argc, argv, &o, &help, &err);
    int rc;
    if (cli_options_done("merge", status, help, usage, &err, &rc))
        return rc;
    size_t ninputs = (size_t)(argc - optind) + (o.append ? 1 : 0);
    struct table t = {.file_start = calloc(ninputs, sizeof(size_t))};
    status = t.file_start ? CC_OK : cc_error(&err, CC_ESYS, "out of memory");
    size_t f = 0;
    if (status == CC_OK && o.append) {
        t.file_start[f++] = 0;
        status = read_input(&t, o.out, NULL, true, &err);
        if (status == CC_OK && o.label && t.header)
            status = cc_error(&err, CC_EINPUT, "--label with --append: '%s' has its own rows", o.out);
    }
    for (int i = optind; status == CC_OK && i < argc; i++) {
        char *path = NULL, *job = NULL;
        t.file_start[f++] = t.nrows;
        status = input_path(argv[i], &path, &job, &err);
        if (status == CC_OK)
            status = read_input(&t, path, o.label ? job : NULL, false, &err);
        free(path);
        free(job);
    }
    if (status == CC_OK && o.renumber)
        status = renumber(&t, ninputs, &err);
    if (status == CC_OK && o.count) {
        size_t failed = 0;
        t.col_ok = column_of(&t, "ok");
        for (size_t r = 0; t.col_ok >= 0 && r < t.nrows; r++)
            failed += strcmp(t.rows[r][t.col_ok], "1") != 0;
        printf("%zu %zu\n", t.nrows, failed);
    } else if (status == CC_OK && o.column) {
        int col = column_of(&t, o.column);
        if (col < 0)
            status = cc_error(&err, CC_EINPUT, "--column: no column '%s'", o.column);
        for (size_t r = 0; col >= 0 && r < t.nrows; r++)
            puts(t.rows[r][col]);
    } else if (status == CC_OK && o.out) {
        status = write_file(o.out, &t, o.label, &err);
    } else if (status == CC_OK) {
        write_table(stdout, &t, o.label);
        if (fflush(stdout) != 0)
            status = cc_error(&err, CC_ESYS, "cannot write the table: %s", strerror(errno));
    }
    for (size_t r = 0; r < t.nrows; r++)
        free_fields(t.rows[r], t.ncols + 1);
    free(t.rows);
    free_fields(t.header, t.ncols + 1);
    free(t.file_start);
    return status == CC_OK ? 0 : cli_exit_status("merge", status, &err);
}

#include "proctree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grow.h"

/* One task's latest figure; tid 0 marks a free slot (tids start at 1). */
struct slot {
    pid_t tid;
    unsigned long long wait_ns;
};

struct proctree {
    pid_t root;
    struct slot *slots; /* open addressing, capacity a power of two */
    size_t cap, used;
    unsigned long long retired_ns; /* figures of tasks whose tid came back */
    bool any;                      /* some figure was read */
    pid_t *stack;                  /* processes still to visit in a sample */
    size_t depth, stack_cap;
    char *buf; /* file contents */
    size_t buf_cap;
};

struct proctree *proctree_new(pid_t root)
{
    struct proctree *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->root = root;
    t->cap = 64;
    t->slots = calloc(t->cap, sizeof *t->slots);
    t->buf_cap = 4096;
    t->buf = malloc(t->buf_cap);
    if (!t->slots || !t->buf) {
        proctree_free(t);
        return NULL;
    }
    return t;
}

void proctree_free(struct proctree *t)
{
    if (!t)
        return;
    free(t->slots);
    free(t->stack);
    free(t->buf);
    free(t);
}

static size_t slot_of(const struct slot *slots, size_t cap, pid_t tid)
{
    size_t i = ((size_t)tid * 2654435761u) & (cap - 1);
    while (slots[i].tid != 0 && slots[i].tid != tid)
        i = (i + 1) & (cap - 1);
    return i;
}

static bool rehash_larger(struct proctree *t)
{
    size_t cap = t->cap * 2;
    struct slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].tid)
            slots[slot_of(slots, cap, t->slots[i].tid)] = t->slots[i];
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return true;
}

/* A figure smaller than the one kept means the tid now names another task:
 * the old task's figure is kept aside. Out of memory: the task is skipped
 * (the sum stays a lower bound). */
static void record(struct proctree *t, pid_t tid, unsigned long long wait_ns)
{
    if (2 * (t->used + 1) > t->cap && !rehash_larger(t))
        return;
    struct slot *s = &t->slots[slot_of(t->slots, t->cap, tid)];
    if (s->tid == 0) {
        s->tid = tid;
        t->used++;
    } else if (wait_ns < s->wait_ns) {
        t->retired_ns += s->wait_ns;
    }
    s->wait_ns = wait_ns;
    t->any = true;
}

/* The whole of a small /proc file into t->buf, NUL-terminated; false when
 * it cannot be read (the task has ended, say). */
static bool read_file(struct proctree *t, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    size_t len = 0;
    for (;;) {
        if (len + 1 >= t->buf_cap) {
            char *bigger = realloc(t->buf, 2 * t->buf_cap);
            if (!bigger)
                break;
            t->buf = bigger;
            t->buf_cap *= 2;
        }
        ssize_t n = read(fd, t->buf + len, t->buf_cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    t->buf[len] = '\0';
    return len > 0;
}

static void push(struct proctree *t, pid_t pid)
{
    pid_t *stack = grow(t->stack, &t->stack_cap, t->depth + 1, sizeof *stack, 64);
    if (!stack)
        return;
    t->stack = stack;
    t->stack[t->depth++] = pid;
}

/* Each thread of pid: its figure, and its children queued for a visit. */
static bool visit(struct proctree *t, pid_t pid)
{
    char path[96];
    bool read_any = false;
    snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
    DIR *dir = opendir(path);
    if (!dir)
        return false;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        char *end;
        long tid = strtol(e->d_name, &end, 10);
        if (*end || tid <= 0)
            continue;
        unsigned long long run_ns, wait_ns;
        snprintf(path, sizeof path, "/proc/%ld/task/%ld/schedstat", (long)pid, tid);
        if (read_file(t, path) && sscanf(t->buf, "%llu %llu", &run_ns, &wait_ns) == 2) {
            record(t, (pid_t)tid, wait_ns);
            read_any = true;
        }
        snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", (long)pid, tid);
        if (!read_file(t, path))
            continue;
        for (char *p = t->buf;;) {
            long child = strtol(p, &end, 10);
            if (end == p)
                break;
            if (child > 0)
                push(t, (pid_t)child);
            p = end;
        }
    }
    closedir(dir);
    return read_any;
}

bool proctree_sample(struct proctree *t)
{
    t->depth = 0;
    bool root_read = visit(t, t->root);
    while (t->depth > 0)
        visit(t, t->stack[--t->depth]);
    return root_read;
}

double proctree_runq_wait_s(const struct proctree *t)
{
    if (!t->any)
        return NAN;
    unsigned long long ns = t->retired_ns;
    for (size_t i = 0; i < t->cap; i++)
        ns += t->slots[i].wait_ns;
    return (double)ns * 1e-9;
}

size_t proctree_tasks(const struct proctree *t)
{
    return t->used;
}

/* The block/cyclic splitter (include/partition.h). */
#include "partition.h"

struct partition_share partition_share(bool cyclic, size_t n, size_t part, size_t parts)
{
    if (cyclic)
        return (struct partition_share){
            .first = part, .count = part < n ? (n - part + parts - 1) / parts : 0, .stride = parts,
        };
    size_t base = n / parts, extra = n % parts;
    return (struct partition_share){
        .first = part * base + (part < extra ? part : extra),
        .count = base + (part < extra ? 1 : 0),
        .stride = 1,
    };
}

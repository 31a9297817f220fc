"""The reference notes' synchronous CPU-bound program, unchanged in substance:
sum(i * i for i in range(number)) for numbers 5_000_000 .. 5_000_019.
Prints the duration in seconds and the total (to check it against concur)."""
import sys
import time


def cpu_bound(number):
    return sum(i * i for i in range(number))


def find_sums(numbers):
    return sum(cpu_bound(number) for number in numbers)


if __name__ == "__main__":
    base = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000_000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    numbers = [base + x for x in range(count)]
    start_time = time.time()
    total = find_sums(numbers)
    duration = time.time() - start_time
    print(f"{duration:.6f} {total}")

# multiproc.py — a multiprocessing script (pool, queue) with the start
# method named on the command line; prints "METHOD SUM 42".
import multiprocessing as mp
import sys


def square(x):
    return x * x


if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1])
    with ctx.Pool(4) as pool:
        total = sum(pool.map(square, range(100)))
    q = ctx.Queue()
    p = ctx.Process(target=q.put, args=(42,))
    p.start()
    got = q.get()
    p.join()
    print(sys.argv[1], total, got)

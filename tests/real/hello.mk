# hello.mk — copied as Makefile by profiles-real (build profile).
hello: hello.o
	$(CC) -o $@ hello.o

hello.o: hello.c
	$(CC) -O1 -c hello.c

clean:
	rm -f hello hello.o

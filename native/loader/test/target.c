// Test target: opens and reads each file named on the command line with read() in small
// chunks, then prints how many bytes it read. `--loop N` repeats the whole list N times, and
// `--loop N --pause-us U` waits U microseconds after each round.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int loops = 1, first = 1, pause_us = 0;
	long total = 0;

	if (argc > 2 && !strcmp(argv[1], "--loop")) {
		loops = atoi(argv[2]);
		first = 3;
	}
	if (argc > first + 1 && !strcmp(argv[first], "--pause-us")) {
		pause_us = atoi(argv[first + 1]);
		first += 2;
	}
	for (int l = 0; l < loops; l++) {
		for (int i = first; i < argc; i++) {
			char buf[64];
			ssize_t n;
			int fd = open(argv[i], O_RDONLY);

			if (fd < 0) {
				fprintf(stderr, "cannot open %s\n", argv[i]);
				continue;
			}
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				total += n;
			close(fd);
		}
		if (pause_us)
			usleep((useconds_t)pause_us);
	}
	printf("read %ld bytes\n", total);
	return 0;
}

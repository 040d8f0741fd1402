// Test target that looks for another scenario's file. argv: OWN NAME WAIT_MS. Reads its own
// planted /tmp/OWN, then, for up to WAIT_MS, looks for /tmp/NAME in its own /tmp and in every
// other process's root (/proc/PID/root/tmp/NAME, where the loader's child preparing the next
// scenario keeps it), reading whatever it finds. Prints "here=H elsewhere=E": H is 1 when its
// own /tmp held the file (a leak), E when it saw the file planted elsewhere while it ran.
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int read_file(const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return 1;
}

static int planted_elsewhere(const char *name)
{
	char path[512];
	struct dirent *d;
	int found = 0;
	DIR *proc = opendir("/proc");

	while (proc && !found && (d = readdir(proc))) {
		int pid = atoi(d->d_name);

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/root/tmp/%s", pid, name);
		found = access(path, F_OK) == 0;
	}
	if (proc)
		closedir(proc);
	return found;
}

int main(int argc, char **argv)
{
	char own[256], other[256];
	int here = 0, elsewhere = 0;

	if (argc != 4)
		return 2;
	snprintf(own, sizeof(own), "/tmp/%s", argv[1]);
	snprintf(other, sizeof(other), "/tmp/%s", argv[2]);
	read_file(own);
	for (long long end = now_ms() + atoi(argv[3]);;) {
		here |= read_file(other);
		if (!elsewhere && planted_elsewhere(argv[2]))
			elsewhere = 1;
		if (elsewhere || now_ms() >= end)
			break;
	}
	here |= read_file(other);
	printf("here=%d elsewhere=%d\n", here, elsewhere);
	return 0;
}

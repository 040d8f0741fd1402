// Test target that prints what it was started with: its open fds, its signal mask and
// dispositions, its environment, its cwd and what its /tmp holds. A target must inherit nothing
// of the loader but stdin, stdout and stderr, with no signal blocked, ignored or caught.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	char line[256], cwd[256], *names[64];
	struct dirent *e;
	int n = 0;
	DIR *d = opendir("/proc/self/fd");

	printf("fds:");
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			printf(" %s", e->d_name);
	printf("\n");
	closedir(d);
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "SigBlk:", 7) || !strncmp(line, "SigIgn:", 7) ||
		    !strncmp(line, "SigCgt:", 7))
			fputs(line, stdout);
	if (f)
		fclose(f);
	printf("env:");
	for (char **v = environ; *v; v++)
		printf(" %s", *v);
	printf("\ncwd: %s\ntmp:", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	d = opendir("/tmp");
	while (d && (e = readdir(d)) && n < 64)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (int i = 0; i < n; i++)
		printf(" %s", names[i]);
	printf("\n");
	return 0;
}

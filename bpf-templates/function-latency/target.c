// The target of function-latency: a server loop that handles requests of several sizes with
// handle_request(), which works for about the given number of microseconds. It times every
// call itself and reports it on stdout, for the checks (the ground truth the student's histogram
// is compared with):
//
//   lab-call <function> tid=<thread> ret=<value> ns=<duration> inner=<duration> arg=<hex of the size>
//
// `ns` is timed around the call, `inner` inside the function, from its first statement to its
// last: a probe's entry and return fall between the two, so a program's measure of the call is
// never below `inner` nor above `ns`, whatever the machine's load.
//
// How many requests of each size is drawn from /tmp/seed (a new one each run). Each size sits in
// the middle of a log2 bucket of microseconds (1.41 * 2^b), far from both edges.
//
//   target            one thread handles every request in turn
//   target workers    two threads: each long request is still being handled while the other
//                     thread handles a short one
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const int sizes_us[] = {181, 362, 724, 1448, 2896};
#define NSIZES (int)(sizeof(sizes_us) / sizeof(sizes_us[0]))

static sem_t a_inside, b_done;
static __thread int hold_inside;
static __thread unsigned long long inner_ns;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* noipa: one real function under its own name (no inlining, no renamed clone) for the probes */
__attribute__((noipa)) int handle_request(int work_us)
{
	unsigned long long start = now_ns(), spins = 0;

	if (hold_inside)
		sem_post(&a_inside);
	/* busy work rather than sleep: a sleep may overshoot by more than a bucket's width */
	while (now_ns() - start < (unsigned long long)work_us * 1000ull)
		spins++;
	if (hold_inside)
		sem_wait(&b_done);
	inner_ns = now_ns() - start;
	return (int)(spins & 0x7fffffff);
}

/* One write per line: lines from several threads never mix. */
static void report(long ret, unsigned long long ns, int work_us)
{
	char arg[16], line[256];
	int n = snprintf(arg, sizeof(arg), "%d", work_us);
	int len = snprintf(line, sizeof(line),
			   "lab-call handle_request tid=%d ret=%ld ns=%llu inner=%llu arg=", gettid(), ret,
			   ns, inner_ns);

	for (int i = 0; i < n; i++)
		len += snprintf(line + len, sizeof(line) - (size_t)len, "%02x", (unsigned char)arg[i]);
	printf("%s\n", line);
}

static void request(int work_us)
{
	unsigned long long t0 = now_ns();
	int ret = handle_request(work_us);

	report(ret, now_ns() - t0, work_us);
}

static void *long_requests(void *arg)
{
	hold_inside = 1;
	for (int i = 0; i < 3; i++)
		request(1448);
	return NULL;
}

static void *short_requests(void *arg)
{
	for (int i = 0; i < 3; i++) {
		sem_wait(&a_inside);
		request(181);
		sem_post(&b_done);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	char seed[256] = "";
	unsigned int h = 2166136261u;
	FILE *f = fopen("/tmp/seed", "r");

	if (!f || !fgets(seed, sizeof(seed), f))
		return 2;
	fclose(f);
	for (char *p = seed; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "workers")) {
		pthread_t a, b;

		sem_init(&a_inside, 0, 0);
		sem_init(&b_done, 0, 0);
		pthread_create(&b, NULL, short_requests, NULL);
		pthread_create(&a, NULL, long_requests, NULL);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
		return 0;
	}
	/* 1 to 4 requests of each size, interleaved: small, large, small, ... */
	int left[NSIZES];

	for (int s = 0; s < NSIZES; s++)
		left[s] = 1 + (int)((h >> (s * 3)) % 4);
	for (int more = 1; more;) {
		more = 0;
		for (int s = 0; s < NSIZES; s++)
			if (left[s] > 0) {
				request(sizes_us[s]);
				left[s]--;
				more = 1;
			}
	}
	return 0;
}

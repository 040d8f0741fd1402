// Target of dns-answer: looks up a few names over UDP, the way a resolver does, against a tiny
// DNS responder of its own on 127.0.0.1:53 (the run has a network namespace of its own, so the
// port is free and nothing leaves the run). The client sends each query with sendto() and
// receives the response with recvfrom() into one buffer it reuses; the responder uses recvmsg()
// and sendmsg(), so the only recvfrom() calls are the client's. Addresses are drawn at random
// for each run; the target prints the one the student must find (the grader reads it, the
// student's programs cannot).
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#define T_A 1
#define T_CNAME 5
#define NXDOMAIN 3
#define QUESTION_NAME 0 /* a record owned by the question's name, written in full */
#define POINTER 1	/* … or as a pointer to the question's name (compression) */
#define ALIAS_TARGET 2	/* a pointer to the name a CNAME record before it points to */

/* One resource record of a response: its owner name, its type and what it holds. */
struct rr {
	int owner_form;
	uint16_t type;
	uint32_t addr;	     /* T_A, host order */
	const char *cname;   /* T_CNAME */
};

struct plan {
	int rcode;
	int nrr;
	struct rr rr[3];
};

static int client, responder;
static struct sockaddr_in dns_server;
/* One buffer for every response, as a resolver keeps one: what a lookup leaves stays there. */
static unsigned char response[512];

/* "db.lab.test" as DNS writes it: each label after its length, then the empty root label. */
static int put_name(unsigned char *p, const char *name)
{
	int n = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		int len = dot ? (int)(dot - name) : (int)strlen(name);

		p[n++] = (unsigned char)len;
		memcpy(p + n, name, (size_t)len);
		n += len;
		name += len + (dot ? 1 : 0);
	}
	p[n++] = 0;
	return n;
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void send_query(const char *name, uint16_t id)
{
	unsigned char q[300];
	int n = 12;

	memset(q, 0, 12);
	put16(q, id);
	put16(q + 2, 0x0100); /* a standard query, recursion desired */
	put16(q + 4, 1);      /* one question */
	n += put_name(q + n, name);
	put16(q + n, T_A);
	put16(q + n + 2, 1); /* class IN */
	n += 4;
	sendto(client, q, (size_t)n, 0, (struct sockaddr *)&dns_server, sizeof(dns_server));
}

/* The responder: reads one query and answers it as the plan says. */
static void answer_query(const struct plan *plan)
{
	unsigned char q[512], r[512];
	struct sockaddr_in from;
	struct iovec iov = {q, sizeof(q)};
	struct msghdr msg = {
		.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1};
	ssize_t qlen = recvmsg(responder, &msg, 0);
	int n, alias_at = 12;

	if (qlen < 17)
		return;
	/* header and question come back as they were asked */
	memcpy(r, q, (size_t)qlen);
	put16(r + 2, (uint16_t)(0x8180 | plan->rcode)); /* a response, recursion available */
	put16(r + 6, (uint16_t)plan->nrr);
	n = (int)qlen;
	for (int i = 0; i < plan->nrr; i++) {
		const struct rr *rr = &plan->rr[i];

		if (rr->owner_form == POINTER || rr->owner_form == ALIAS_TARGET) {
			/* the question's name starts right after the 12-byte header */
			put16(r + n, (uint16_t)(0xc000 | (rr->owner_form == POINTER ? 12 : alias_at)));
			n += 2;
		} else {
			memcpy(r + n, q + 12, (size_t)qlen - 12 - 4);
			n += (int)qlen - 12 - 4;
		}
		put16(r + n, rr->type);
		put16(r + n + 2, 1);
		put16(r + n + 4, 0);
		put16(r + n + 6, 300); /* time to live: 300 s */
		n += 8;
		if (rr->type == T_A) {
			put16(r + n, 4);
			put16(r + n + 2, (uint16_t)(rr->addr >> 16));
			put16(r + n + 4, (uint16_t)rr->addr);
			n += 6;
		} else {
			int len = put_name(r + n + 2, rr->cname);

			alias_at = n + 2;
			put16(r + n, (uint16_t)len);
			n += 2 + len;
		}
	}
	/* the same message header, now pointing at the response */
	iov = (struct iovec){r, (size_t)n};
	sendmsg(responder, &msg, 0);
}

/* One lookup: the query, the responder's turn, then the client's recvfrom() of `room` bytes. */
static ssize_t lookup(const char *name, const struct plan *plan, size_t room)
{
	static uint16_t id = 0x4c61;

	send_query(name, id++);
	answer_query(plan);
	return recvfrom(client, response, room, 0, NULL, NULL);
}

static uint32_t random_address(void)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)getpid() * 2654435761u;
	/* 10.x.y.z, z never 0 or 255 */
	return 0x0a000000u | (r & 0x00ffff00u) | (1 + (r & 0xff) % 254);
}

static void report(const char *name, uint32_t addr)
{
	printf("%s is %u.%u.%u.%u (%u)\n", name, addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255,
	       addr & 255, addr);
}

/* A lookup answered with one A record. */
static ssize_t lookup_a(const char *name, int owner_form, uint32_t addr, size_t room)
{
	struct plan plan = {.nrr = 1, .rr = {{owner_form, T_A, addr, NULL}}};

	return lookup(name, &plan, room);
}

int main(int argc, char **argv)
{
	const char *scenario = argc > 1 ? argv[1] : "";
	struct sockaddr_in any = {.sin_family = AF_INET};
	uint32_t asked = random_address();

	dns_server = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(53)};
	dns_server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	responder = socket(AF_INET, SOCK_DGRAM, 0);
	client = socket(AF_INET, SOCK_DGRAM, 0);
	if (bind(responder, (struct sockaddr *)&dns_server, sizeof(dns_server)) ||
	    bind(client, (struct sockaddr *)&any, sizeof(any))) {
		perror("dns-answer target: bind");
		return 1;
	}

	if (!strcmp(scenario, "several-names")) {
		/* answers written in full; only the third lookup is for db.lab.test */
		lookup_a("www.lab.test", QUESTION_NAME, random_address(), sizeof(response));
		lookup_a("db.lab.test.example", QUESTION_NAME, random_address(), sizeof(response));
		lookup_a("db.lab.test", QUESTION_NAME, asked, sizeof(response));
		lookup_a("db2.lab.test", QUESTION_NAME, random_address(), sizeof(response));
		report("db.lab.test", asked);
	} else if (!strcmp(scenario, "compressed")) {
		/* answers name their owner with a pointer; db.lab.test has two addresses */
		struct plan two = {.nrr = 2,
				   .rr = {{POINTER, T_A, asked, NULL}, {POINTER, T_A, random_address(), NULL}}};

		lookup_a("www.lab.test", POINTER, random_address(), sizeof(response));
		lookup("db.lab.test", &two, sizeof(response));
		report("db.lab.test", asked);
	} else if (!strcmp(scenario, "cname-first")) {
		/* db.lab.test is an alias: a CNAME record first, then the A record of the real name */
		struct plan alias = {.nrr = 2,
				     .rr = {{POINTER, T_CNAME, 0, "primary.db.lab.test"},
					    {ALIAS_TARGET, T_A, asked, NULL}}};

		lookup("db.lab.test", &alias, sizeof(response));
		report("db.lab.test", asked);
	} else if (!strcmp(scenario, "no-answer")) {
		struct plan nx = {.rcode = NXDOMAIN};

		/* a full answer for another name of the same length fills the buffer ... */
		lookup_a("ns.lab.test", QUESTION_NAME, random_address(), sizeof(response));
		/* ... then db.lab.test's answer arrives cut short: a 40-byte buffer holds only its start */
		lookup_a("db.lab.test", QUESTION_NAME, asked, 40);
		/* a non-blocking recvfrom() before the next answer is there fails with EAGAIN */
		send_query("db.lab.test", 7);
		if (recvfrom(client, response, sizeof(response), MSG_DONTWAIT, NULL, NULL) < 0)
			printf("recvfrom before the answer: %s\n", strerror(errno));
		answer_query(&nx);
		recvfrom(client, response, sizeof(response), 0, NULL, NULL);
		printf("no complete answer for db.lab.test\n");
	} else {
		fprintf(stderr, "dns-answer target: unknown scenario \"%s\"\n", scenario);
		return 2;
	}
	return 0;
}

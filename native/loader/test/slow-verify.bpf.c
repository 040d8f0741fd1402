// Eight programs the verifier walks for a long time each (the kind of cheap file that took the
// verifier stage 5.7 s): a loop of 12,000 iterations, which it checks one iteration after the
// other, about 600,000 instructions per program. On sys_enter_acct, which never fires here; it is
// never attached anyway.
#include "lab.h"

#define STEP                                                                               \
	x = x * 31 + i;                                                                    \
	barrier_var(x);
#define STEPS STEP STEP STEP STEP STEP STEP STEP STEP STEP STEP STEP STEP STEP STEP STEP STEP

SEC("tp/syscalls/sys_enter_acct")
int slow0(void *ctx)
{
	u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < 12000; i++) {
		STEPS
	}
	SUBMIT_NUM(x);
	return 0;
}

SEC("tp/syscalls/sys_enter_acct")
int slow1(void *ctx)
{
	u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < 12000; i++) {
		STEPS
	}
	SUBMIT_NUM(x);
	return 0;
}

SEC("tp/syscalls/sys_enter_acct")
int slow2(void *ctx)
{
	u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < 12000; i++) {
		STEPS
	}
	SUBMIT_NUM(x);
	return 0;
}

SEC("tp/syscalls/sys_enter_acct")
int slow3(void *ctx)
{
	u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < 12000; i++) {
		STEPS
	}
	SUBMIT_NUM(x);
	return 0;
}

SEC("tp/syscalls/sys_enter_acct")
int slow4(void *ctx)
{
	u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < 12000; i++) {
		STEPS
	}
	SUBMIT_NUM(x);
	return 0;
}

SEC("tp/syscalls/sys_enter_acct")
int slow5(void *ctx)
{
	u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < 12000; i++) {
		STEPS
	}
	SUBMIT_NUM(x);
	return 0;
}

SEC("tp/syscalls/sys_enter_acct")
int slow6(void *ctx)
{
	u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < 12000; i++) {
		STEPS
	}
	SUBMIT_NUM(x);
	return 0;
}

SEC("tp/syscalls/sys_enter_acct")
int slow7(void *ctx)
{
	u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < 12000; i++) {
		STEPS
	}
	SUBMIT_NUM(x);
	return 0;
}

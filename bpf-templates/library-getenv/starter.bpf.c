// library-getenv: submit the name of every environment variable the target looks up.
#include "lab.h"

SEC("uprobe/libc.so.6:getenv")
int on_getenv(struct pt_regs *ctx)
{
	char name[128];

	/* TODO: getenv(const char *name): copy the name it was given into name. */
	/* TODO: SUBMIT it without its terminating NUL. */
	return 0;
}

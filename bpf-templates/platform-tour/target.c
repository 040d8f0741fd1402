// Target of platform-tour: asks the kernel for its parent's pid, once. That syscall is the
// event the student's first program hooks.
#include <unistd.h>

int main(void)
{
	return getppid() > 0 ? 0 : 1;
}

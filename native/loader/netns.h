/* A network namespace of the run's own, for exercises whose target talks over the network. */
#ifndef LAB_NETNS_H
#define LAB_NETNS_H

#include <stddef.h>

/*
 * Moves the calling process into a new network namespace and brings its loopback up. Returns 0,
 * or -1 with the reason in err.
 */
int enter_private_network(char *err, size_t errlen);

#endif

/* SPDX-License-Identifier: Apache-2.0
 * The exec floor: the least a wrapper can cost — exec the runtime and nothing else. */
#include <unistd.h>

#ifndef RUNTIME
#error "build with -DRUNTIME='\"/usr/bin/runc\"'"
#endif

extern char **environ;

int main(int argc, char **argv)
{
	argv[0] = (char *)RUNTIME;
	execve(RUNTIME, argv, environ);
	return 127;
}

/* SPDX-License-Identifier: Apache-2.0
 * The core: hardshim-core-BUILDID, the executable the front (src/front/front.c) execs for
 * everything but a cached fast path, with the front's argv unchanged (argv[0] included: the
 * policy's path may depend on it). It decides exactly as the whole program did, fast path
 * included.
 *
 * The front passes one thing besides: the path of its own executable, in HARDSHIM_FRONT, which
 * it sets over whatever its caller passed. The core takes it out of the environment first (the
 * runtime, hooks and anything else the core starts get the caller's environment as it came)
 * and uses it only as hardshim's own path: the binary the hooks it writes into config.json
 * call, and the one hook binary admitted without a policy entry (hs_host.self_binary: only a
 * file in the core's own directory, see src/host/host.c). A caller that execs the core
 * directly runs it with their own privileges, and could as well write those hooks
 * themselves; without the variable the core knows no path of its own, and refuses to write
 * or admit hardshim's hooks, as the old single binary did when /proc/self/exe was stale.
 */
#include <stdlib.h>

#include "hs-cli.h"
#include "hs-host.h"

int main(int argc, char **argv)
{
	hs_host_set_front(getenv(HS_FRONT_ENV));
	unsetenv(HS_FRONT_ENV);
	return hs_main(argc, argv);
}

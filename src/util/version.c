/* SPDX-License-Identifier: Apache-2.0
 * Which hardshim this is: the release in the tree's VERSION file and the commit it was built
 * from (the Makefile passes both as HS_VERSION). Every launch record carries it, so an
 * operator can tell which build made a decision after an upgrade. */
#include "hs-util.h"

#ifndef HS_VERSION
#define HS_VERSION "unknown"
#endif

const char *hs_version(void)
{
	return HS_VERSION;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "hs-cli.h"

int main(int argc, char **argv)
{
	return hs_main(argc, argv);
}

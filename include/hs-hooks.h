/* SPDX-License-Identifier: Apache-2.0
 * The hooks control (src/policy/hooks.c): what it needs besides the control table. */
#pragma once

/* hardshim's own binary, which `hardshim hook ...` hooks (the egress control's) name and the
 * hooks control admits implicitly. NULL: readlink("/proc/self/exe") (the default); unit tests
 * set an invented path. The string must outlive every check. */
void hs_hooks_set_self_binary(const char *path);

/* SPDX-License-Identifier: Apache-2.0
 * hs_userns_host_id: the one reading of a config's uid/gid mappings, for the gate (is the
 * bundle's non-root owner this container's root?) and the user control (is uid 0 inside not
 * the host's root?). Only a user namespace the config makes counts; an entry that does not
 * read as three numbers maps nothing (runc would read a missing containerID as 0). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "hs-json.h"
#include "hs-policy.h"

static bool host_id(const char *linux_, uint32_t id, uint32_t *host)
{
	static const struct hs_json_limits limits = HS_JSON_LIMITS_DEFAULT;
	struct hs_arena *a = hs_arena_new();
	struct hs_error err = HS_ERROR_INIT;
	struct hs_json *config;
	char buf[512];
	bool r;

	assert_non_null(a);
	snprintf(buf, sizeof(buf), "{\"linux\":%s}", linux_);
	assert_int_equal(hs_json_parse(a, buf, strlen(buf), &limits, &config, &err), 0);
	r = hs_userns_host_id(config, "uidMappings", id, host);
	hs_arena_free(a);
	return r;
}

#define USERNS "\"namespaces\":[{\"type\":\"user\"}]"

static void test_maps_ids_in_range(void **state)
{
	uint32_t host = 0;

	(void)state;
	assert_true(host_id("{" USERNS ",\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,"
			    "\"size\":65536}]}",
			    0, &host));
	assert_int_equal(host, 100000);
	assert_true(host_id("{" USERNS ",\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,"
			    "\"size\":1},{\"containerID\":1,\"hostID\":100000,\"size\":65535}]}",
			    33, &host));
	assert_int_equal(host, 100032);
	/* past the range: not mapped */
	assert_false(host_id("{" USERNS ",\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,"
			     "\"size\":10}]}",
			     10, &host));
}

static void test_needs_own_userns_and_whole_entries(void **state)
{
	uint32_t host = 0;

	(void)state;
	/* no user namespace, or one joined by path: the mapping is not this config's */
	assert_false(host_id("{\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":1}]}",
			     0, &host));
	assert_false(host_id("{\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"}],"
			     "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":1}]}",
			     0, &host));
	/* an entry without containerID maps nothing (the two copies this replaced disagreed) */
	assert_false(
	    host_id("{" USERNS ",\"uidMappings\":[{\"hostID\":100000,\"size\":1}]}", 0, &host));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_ids_in_range),
		cmocka_unit_test(test_needs_own_userns_and_whole_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

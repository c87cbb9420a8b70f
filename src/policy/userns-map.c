/* SPDX-License-Identifier: Apache-2.0
 * Which host id a config's own user namespace gives a container id: the one reading of
 * linux.uidMappings/gidMappings that the gate (is a bundle's non-root owner this container's
 * root?) and the user control (is uid 0 inside already not the host's root?) share. Two
 * copies of it disagreed on a mapping without containerID; an attacker picks the copy that
 * reads his config the way he needs. */
#include <string.h>

#include "hs-json.h"
#include "hs-policy.h"

/* The config makes a user namespace of its own (no path: joining one is another question). */
static bool makes_userns(const struct hs_json *linux_)
{
	const struct hs_json *ns;

	hs_json_foreach_item(ns, hs_json_get_type(linux_, "namespaces", HS_JSON_ARRAY), i) {
		const char *type = hs_json_get_string(ns, "type");

		if (type && !strcmp(type, "user") && !hs_json_get(ns, "path"))
			return true;
	}
	return false;
}

bool hs_userns_host_id(const struct hs_json *config, const char *key, uint32_t id,
		       uint32_t *ret_host)
{
	const struct hs_json *linux_ = hs_json_get_type(config, "linux", HS_JSON_OBJECT);
	const struct hs_json *m;

	if (!makes_userns(linux_))
		return false;
	hs_json_foreach_item(m, hs_json_get_type(linux_, key, HS_JSON_ARRAY), i) {
		uint64_t inside, host, size;

		/* an entry that does not read as three numbers maps nothing here */
		if (hs_json_get_u64(hs_json_get(m, "containerID"), UINT32_MAX, &inside) < 0 ||
		    hs_json_get_u64(hs_json_get(m, "hostID"), UINT32_MAX, &host) < 0 ||
		    hs_json_get_u64(hs_json_get(m, "size"), UINT32_MAX, &size) < 0)
			continue;
		if (id >= inside && id - inside < size && host + (id - inside) <= UINT32_MAX) {
			*ret_host = (uint32_t)(host + (id - inside));
			return true;
		}
	}
	return false;
}

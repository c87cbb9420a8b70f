/* SPDX-License-Identifier: Apache-2.0
 * The OCI documents as runc reads them: runtime-spec specs-go/config.go and state.go (Debian's
 * golang-github-opencontainers-specs-dev), decoded by Go encoding/json. Every struct, json
 * tag and integer kind is transcribed here so that the schema walker refuses exactly what Go
 * would read differently from us (case-variant keys, out-of-range numbers, wrong types).
 * tests/oracle/spec-schema.txt is the same tree dumped from the Go types by reflection;
 * tests/unit/test-spec-schema.c keeps the two equal.
 *
 * Go kinds: int and uint are 64-bit on every target runc ships for; os.FileMode is uint32;
 * pointers (*int64, *uint32...) read the same JSON as their target (null = absent). */
#include "hs-schema.h"

#define FIELD(key, schema) { key, &(schema) },
#define STRUCT(name, ...)                                                                    \
	static const struct hs_schema_field name##_fields[] = { __VA_ARGS__{ NULL, NULL } }; \
	static const struct hs_schema name = { .kind = HS_S_STRUCT, .fields = name##_fields }
#define ARRAY(name, of) static const struct hs_schema name = { .kind = HS_S_ARRAY, .item = &(of) }
#define MAP(name, of)   static const struct hs_schema name = { .kind = HS_S_MAP, .item = &(of) }

/* Go kind -> leaf. */
#define GO_BOOL       hs_schema_bool
#define GO_STRING     hs_schema_string
#define GO_INT        hs_schema_i64
#define GO_INT64      hs_schema_i64
#define GO_UINT       hs_schema_u64
#define GO_UINT64     hs_schema_u64
#define GO_UINT32     hs_schema_u32
#define GO_UINT16     hs_schema_u16
#define GO_FILEMODE   hs_schema_u32
#define GO_STRINGS    hs_schema_string_array
#define GO_STRING_MAP hs_schema_string_map
#define GO_INTERFACE  hs_schema_any

ARRAY(uint32_array, GO_UINT32);

/* ---- process ---- */
STRUCT(box, FIELD("height", GO_UINT) FIELD("width", GO_UINT));
STRUCT(user, FIELD("uid", GO_UINT32) FIELD("gid", GO_UINT32) FIELD("umask", GO_UINT32)
		 FIELD("additionalGids", uint32_array) FIELD("username", GO_STRING));
STRUCT(linux_capabilities,
       FIELD("bounding", GO_STRINGS) FIELD("effective", GO_STRINGS) FIELD("inheritable", GO_STRINGS)
	   FIELD("permitted", GO_STRINGS) FIELD("ambient", GO_STRINGS));
STRUCT(posix_rlimit, FIELD("type", GO_STRING) FIELD("hard", GO_UINT64) FIELD("soft", GO_UINT64));
ARRAY(posix_rlimits, posix_rlimit);

static const struct hs_schema_field process_fields[] = {
	FIELD("terminal", GO_BOOL) FIELD("consoleSize", box) FIELD("user", user)
	    FIELD("args", GO_STRINGS) FIELD("commandLine", GO_STRING) FIELD("env", GO_STRINGS)
		FIELD("cwd", GO_STRING) FIELD("capabilities", linux_capabilities)
		    FIELD("rlimits", posix_rlimits) FIELD("noNewPrivileges", GO_BOOL)
			FIELD("apparmorProfile", GO_STRING) FIELD("oomScoreAdj", GO_INT)
			    FIELD("selinuxLabel", GO_STRING){ NULL, NULL },
};
const struct hs_schema hs_oci_process = { .kind = HS_S_STRUCT, .fields = process_fields };

/* ---- root, mounts, hooks ---- */
STRUCT(root, FIELD("path", GO_STRING) FIELD("readonly", GO_BOOL));
STRUCT(linux_id_mapping,
       FIELD("containerID", GO_UINT32) FIELD("hostID", GO_UINT32) FIELD("size", GO_UINT32));
ARRAY(linux_id_mappings, linux_id_mapping);
STRUCT(mount, FIELD("destination", GO_STRING) FIELD("type", GO_STRING) FIELD("source", GO_STRING)
		  FIELD("options", GO_STRINGS) FIELD("uidMappings", linux_id_mappings)
		      FIELD("gidMappings", linux_id_mappings));
ARRAY(mounts, mount);
STRUCT(hook, FIELD("path", GO_STRING) FIELD("args", GO_STRINGS) FIELD("env", GO_STRINGS)
		 FIELD("timeout", GO_INT));
ARRAY(hook_list, hook);
STRUCT(hooks, FIELD("prestart", hook_list) FIELD("createRuntime", hook_list)
		  FIELD("createContainer", hook_list) FIELD("startContainer", hook_list)
		      FIELD("poststart", hook_list) FIELD("poststop", hook_list));

/* ---- linux.resources (also the `update --resources` document) ---- */
STRUCT(linux_device_cgroup,
       FIELD("allow", GO_BOOL) FIELD("type", GO_STRING) FIELD("major", GO_INT64)
	   FIELD("minor", GO_INT64) FIELD("access", GO_STRING));
ARRAY(linux_device_cgroups, linux_device_cgroup);
STRUCT(linux_memory,
       FIELD("limit", GO_INT64) FIELD("reservation", GO_INT64) FIELD("swap", GO_INT64)
	   FIELD("kernel", GO_INT64) FIELD("kernelTCP", GO_INT64) FIELD("swappiness", GO_UINT64)
	       FIELD("disableOOMKiller", GO_BOOL) FIELD("useHierarchy", GO_BOOL)
		   FIELD("checkBeforeUpdate", GO_BOOL));
STRUCT(linux_cpu, FIELD("shares", GO_UINT64) FIELD("quota", GO_INT64) FIELD("burst", GO_UINT64)
		      FIELD("period", GO_UINT64) FIELD("realtimeRuntime", GO_INT64)
			  FIELD("realtimePeriod", GO_UINT64) FIELD("cpus", GO_STRING)
			      FIELD("mems", GO_STRING) FIELD("idle", GO_INT64));
STRUCT(linux_pids, FIELD("limit", GO_INT64));
/* LinuxWeightDevice and LinuxThrottleDevice embed LinuxBlockIODevice without a tag: Go
 * promotes its major/minor into the outer object. */
STRUCT(linux_weight_device, FIELD("major", GO_INT64) FIELD("minor", GO_INT64)
				FIELD("weight", GO_UINT16) FIELD("leafWeight", GO_UINT16));
ARRAY(linux_weight_devices, linux_weight_device);
STRUCT(linux_throttle_device,
       FIELD("major", GO_INT64) FIELD("minor", GO_INT64) FIELD("rate", GO_UINT64));
ARRAY(linux_throttle_devices, linux_throttle_device);
STRUCT(linux_block_io,
       FIELD("weight", GO_UINT16) FIELD("leafWeight", GO_UINT16)
	   FIELD("weightDevice", linux_weight_devices)
	       FIELD("throttleReadBpsDevice", linux_throttle_devices)
		   FIELD("throttleWriteBpsDevice", linux_throttle_devices)
		       FIELD("throttleReadIOPSDevice", linux_throttle_devices)
			   FIELD("throttleWriteIOPSDevice", linux_throttle_devices));
STRUCT(linux_hugepage_limit, FIELD("pageSize", GO_STRING) FIELD("limit", GO_UINT64));
ARRAY(linux_hugepage_limits, linux_hugepage_limit);
STRUCT(linux_interface_priority, FIELD("name", GO_STRING) FIELD("priority", GO_UINT32));
ARRAY(linux_interface_priorities, linux_interface_priority);
STRUCT(linux_network, FIELD("classID", GO_UINT32) FIELD("priorities", linux_interface_priorities));
STRUCT(linux_rdma, FIELD("hcaHandles", GO_UINT32) FIELD("hcaObjects", GO_UINT32));
MAP(linux_rdma_map, linux_rdma);

static const struct hs_schema_field resources_fields[] = {
	FIELD("devices", linux_device_cgroups) FIELD("memory", linux_memory) FIELD("cpu", linux_cpu)
	    FIELD("pids", linux_pids) FIELD("blockIO", linux_block_io)
		FIELD("hugepageLimits", linux_hugepage_limits) FIELD("network", linux_network)
		    FIELD("rdma", linux_rdma_map) FIELD("unified", GO_STRING_MAP){ NULL, NULL },
};
const struct hs_schema hs_oci_resources = { .kind = HS_S_STRUCT, .fields = resources_fields };

/* ---- linux ---- */
STRUCT(linux_namespace, FIELD("type", GO_STRING) FIELD("path", GO_STRING));
ARRAY(linux_namespaces, linux_namespace);
STRUCT(linux_device, FIELD("path", GO_STRING) FIELD("type", GO_STRING) FIELD("major", GO_INT64)
			 FIELD("minor", GO_INT64) FIELD("fileMode", GO_FILEMODE)
			     FIELD("uid", GO_UINT32) FIELD("gid", GO_UINT32));
ARRAY(linux_devices, linux_device);
STRUCT(linux_seccomp_arg, FIELD("index", GO_UINT) FIELD("value", GO_UINT64)
			      FIELD("valueTwo", GO_UINT64) FIELD("op", GO_STRING));
ARRAY(linux_seccomp_args, linux_seccomp_arg);
STRUCT(linux_syscall, FIELD("names", GO_STRINGS) FIELD("action", GO_STRING)
			  FIELD("errnoRet", GO_UINT) FIELD("args", linux_seccomp_args));
ARRAY(linux_syscalls, linux_syscall);
STRUCT(linux_seccomp, FIELD("defaultAction", GO_STRING) FIELD("defaultErrnoRet", GO_UINT)
			  FIELD("architectures", GO_STRINGS) FIELD("flags", GO_STRINGS)
			      FIELD("listenerPath", GO_STRING) FIELD("listenerMetadata", GO_STRING)
				  FIELD("syscalls", linux_syscalls));
STRUCT(linux_intel_rdt,
       FIELD("closID", GO_STRING) FIELD("l3CacheSchema", GO_STRING) FIELD("memBwSchema", GO_STRING)
	   FIELD("enableCMT", GO_BOOL) FIELD("enableMBM", GO_BOOL));
STRUCT(linux_personality, FIELD("domain", GO_STRING) FIELD("flags", GO_STRINGS));
STRUCT(linux_section,
       FIELD("uidMappings", linux_id_mappings) FIELD("gidMappings", linux_id_mappings)
	   FIELD("sysctl", GO_STRING_MAP) FIELD("resources", hs_oci_resources)
	       FIELD("cgroupsPath", GO_STRING) FIELD("namespaces", linux_namespaces)
		   FIELD("devices", linux_devices) FIELD("seccomp", linux_seccomp)
		       FIELD("rootfsPropagation", GO_STRING) FIELD("maskedPaths", GO_STRINGS)
			   FIELD("readonlyPaths", GO_STRINGS) FIELD("mountLabel", GO_STRING)
			       FIELD("intelRdt", linux_intel_rdt)
				   FIELD("personality", linux_personality));

/* ---- solaris ---- */
STRUCT(solaris_capped_cpu, FIELD("ncpus", GO_STRING));
STRUCT(solaris_capped_memory, FIELD("physical", GO_STRING) FIELD("swap", GO_STRING));
STRUCT(solaris_anet,
       FIELD("linkname", GO_STRING) FIELD("lowerLink", GO_STRING) FIELD("allowedAddress", GO_STRING)
	   FIELD("configureAllowedAddress", GO_STRING) FIELD("defrouter", GO_STRING)
	       FIELD("linkProtection", GO_STRING) FIELD("macAddress", GO_STRING));
ARRAY(solaris_anets, solaris_anet);
STRUCT(solaris,
       FIELD("milestone", GO_STRING) FIELD("limitpriv", GO_STRING) FIELD("maxShmMemory", GO_STRING)
	   FIELD("anet", solaris_anets) FIELD("cappedCPU", solaris_capped_cpu)
	       FIELD("cappedMemory", solaris_capped_memory));

/* ---- windows ---- */
STRUCT(windows_device, FIELD("id", GO_STRING) FIELD("idType", GO_STRING));
ARRAY(windows_devices, windows_device);
STRUCT(windows_memory, FIELD("limit", GO_UINT64));
STRUCT(windows_cpu,
       FIELD("count", GO_UINT64) FIELD("shares", GO_UINT16) FIELD("maximum", GO_UINT16));
STRUCT(windows_storage,
       FIELD("iops", GO_UINT64) FIELD("bps", GO_UINT64) FIELD("sandboxSize", GO_UINT64));
STRUCT(windows_resources,
       FIELD("memory", windows_memory) FIELD("cpu", windows_cpu) FIELD("storage", windows_storage));
STRUCT(windows_hyperv, FIELD("utilityVMPath", GO_STRING));
STRUCT(windows_network,
       FIELD("endpointList", GO_STRINGS) FIELD("allowUnqualifiedDNSQuery", GO_BOOL)
	   FIELD("DNSSearchList", GO_STRINGS) FIELD("networkSharedContainerName", GO_STRING)
	       FIELD("networkNamespace", GO_STRING));
/* credentialSpec is an interface{} in Go: any JSON value, numbers read as float64. */
STRUCT(windows, FIELD("layerFolders", GO_STRINGS) FIELD("devices", windows_devices)
		    FIELD("resources", windows_resources) FIELD("credentialSpec", GO_INTERFACE)
			FIELD("servicing", GO_BOOL) FIELD("ignoreFlushesDuringBoot", GO_BOOL)
			    FIELD("hyperv", windows_hyperv) FIELD("network", windows_network));

/* ---- vm ---- */
STRUCT(vm_hypervisor, FIELD("path", GO_STRING) FIELD("parameters", GO_STRINGS));
STRUCT(vm_kernel,
       FIELD("path", GO_STRING) FIELD("parameters", GO_STRINGS) FIELD("initrd", GO_STRING));
STRUCT(vm_image, FIELD("path", GO_STRING) FIELD("format", GO_STRING));
STRUCT(vm, FIELD("hypervisor", vm_hypervisor) FIELD("kernel", vm_kernel) FIELD("image", vm_image));

/* ---- zos ---- */
STRUCT(zos_device, FIELD("path", GO_STRING) FIELD("type", GO_STRING) FIELD("major", GO_INT64)
		       FIELD("minor", GO_INT64) FIELD("fileMode", GO_FILEMODE)
			   FIELD("uid", GO_UINT32) FIELD("gid", GO_UINT32));
ARRAY(zos_devices, zos_device);
STRUCT(zos, FIELD("devices", zos_devices));

/* ---- the documents ---- */
static const struct hs_schema_field spec_fields[] = {
	FIELD("ociVersion", GO_STRING) FIELD("process", hs_oci_process) FIELD("root", root)
	    FIELD("hostname", GO_STRING) FIELD("domainname", GO_STRING) FIELD("mounts", mounts)
		FIELD("hooks", hooks) FIELD("annotations", GO_STRING_MAP)
		    FIELD("linux", linux_section) FIELD("solaris", solaris)
			FIELD("windows", windows) FIELD("vm", vm) FIELD("zos", zos){ NULL, NULL },
};
const struct hs_schema hs_oci_spec = { .kind = HS_S_STRUCT, .fields = spec_fields };
/* specs.State (state.go): src/oci/state-schema.c, a file of its own so that the front, which
 * runs `hook devices`, links it without this whole tree. */

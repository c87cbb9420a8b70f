/* SPDX-License-Identifier: Apache-2.0
 * The egress room (src/egress/): policy entries, the nftables ruleset they make, loading it as
 * one nf_tables netlink batch of libnftnl objects (dlopen'ed) inside a container's network
 * namespace, and reading its counters back. The policy control (src/policy/egress.c) only parses and decides where the
 * rules go (before the runtime, after its create, or a hook); everything that touches the
 * kernel lives here and runs in hardshim's create path or in `hardshim hook ...`.
 *
 * Entry syntax (docs/egress.md):
 *   IPv4:  ADDR[/PREFIX][:PORT[-PORT]][/tcp|/udp]           198.18.0.0/15:443/tcp
 *   IPv6:  [ADDR[/PREFIX]][:PORT[-PORT]][/tcp|/udp]         [2001:2::/48]:53-54/udp
 *          ADDR[/PREFIX][/tcp|/udp]  (no port: brackets optional)
 * A port without a protocol means TCP and UDP. */
#pragma once

#include "hs-util.h"

struct hs_arena;

enum hs_egress_proto {
	HS_EGRESS_ANY, /* every protocol; with a port: tcp and udp */
	HS_EGRESS_TCP,
	HS_EGRESS_UDP,
};

struct hs_egress_entry {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned prefix;
	uint16_t port_lo, port_hi; /* 0, 0: any port */
	enum hs_egress_proto proto;
};

#define HS_EGRESS_ENTRY_MAX 80 /* longest entry text accepted */

struct hs_egress_cfg {
	bool default_allow;
	struct hs_egress_entry *allow, *deny; /* arena-owned */
	size_t n_allow, n_deny;
	uint64_t rate; /* bytes/second ceiling on everything that leaves; 0: none */
};

/* The table hardshim owns in every container network namespace, and its named counters. */
#define HS_EGRESS_TABLE           "hardshim"
#define HS_EGRESS_COUNTER_DROPPED "dropped"      /* default deny (refused: reset/ICMP) */
#define HS_EGRESS_COUNTER_DENIED  "denied"       /* an explicit "deny" entry (refused too) */
#define HS_EGRESS_COUNTER_RATE    "rate_dropped" /* over the rate ceiling (dropped) */
/* The chain both refusals jump to: a TCP reset, or ICMP administratively prohibited. */
#define HS_EGRESS_CHAIN_REFUSE "refuse"

/* Parse one entry. On refusal err has rule "egress.entry", path `path` and why. */
int hs_egress_entry_parse(const char *s, const char *path, struct hs_egress_entry *ret,
			  struct hs_error *err);
/* Normal form of an entry (what the hook arguments carry), into buf. */
void hs_egress_entry_format(const struct hs_egress_entry *e, char *buf, size_t size);

/* The whole nft transaction that replaces the table: "add table; delete table; add table;
 * ...", so the old table goes and the new one arrives at once. Malloc'ed, caller owns. It
 * names nothing specific to one container, so every container of a pod gets the same. */
int hs_egress_ruleset(const struct hs_egress_cfg *cfg, char **ret);
/* create false: the same. create true: "create table; ..." instead, for a namespace without
 * the table: it deletes nothing, so it leaves the kernel no destroy work to wait for.
 * comment (NULL: none; no quotes in it): the new table's comment. */
int hs_egress_ruleset_as(const struct hs_egress_cfg *cfg, bool create, const char *comment,
			 char **ret);

/* Hook arguments that carry cfg (for `hardshim hook egress`), and their parser.
 * hs_egress_args: arena-owned NULL-terminated vector of n strings. */
int hs_egress_args(struct hs_arena *a, const struct hs_egress_cfg *cfg, char ***ret_argv,
		   size_t *ret_n);
/* Parse "--default allow|deny", "--allow E", "--deny E", "--rate N" from argv. */
int hs_egress_args_parse(struct hs_arena *a, int argc, char **argv, struct hs_egress_cfg *ret,
			 struct hs_error *err);

/* Enter the network namespace of process pid (setns). Refuses the namespace hardshim itself
 * runs in and pid 1's: rules loaded there would cut off the host (rule egress.host-netns). */
int hs_egress_join_netns_pid(pid_t pid, struct hs_error *err);
/* Same for a namespace file such as /run/netns/NAME. */
int hs_egress_join_netns_path(const char *path, struct hs_error *err);

/* nf_tables' netlink socket, by hand (src/egress/netlink.c), in the current network
 * namespace. hs_nl_open: a NETLINK_NETFILTER socket (NETLINK_CAP_ACK), fd or -errno. */
int hs_nl_open(void);
/* Send a batch (iov: its pages, NFNL_MSG_BATCH_BEGIN .. END) and read every answer. 0: no
 * message refused and the message with sequence number ack_seq (it carries NLM_F_ACK)
 * acknowledged. < 0: the kernel's -errno for the first refused message, its sequence number
 * in *ret_seq (0 when the failure is not one message's); the transaction then changed
 * nothing. */
struct iovec;
int hs_nl_send_batch(int fd, const struct iovec *iov, size_t n, uint32_t ack_seq,
		     uint32_t *ret_seq);
/* Send one request (nlmsg_seq set by the caller) and hand each answer of it to cb (< 0 stops
 * and is returned). A dump (NLM_F_DUMP) runs to its end; any other request ends with its one
 * answer. The kernel's -errno when it refuses the request. */
struct nlmsghdr;
typedef int (*hs_nl_cb)(const struct nlmsghdr *nh, void *data);
int hs_nl_request(int fd, const struct nlmsghdr *req, hs_nl_cb cb, void *data);
/* Close fd, leaving the last close of the socket, when a transaction that deleted something
 * made it slow (8-12 ms in the kernel), to a detached child (own session, stdio on /dev/null,
 * no other inherited fd) that waits for this process to exit. *ret_child: its pid, when there
 * is one (tests); untouched otherwise. Falls back to a plain close. */
void hs_nl_close_detached(int fd, pid_t *ret_child);

/* Create hardshim's table for cfg in the current network namespace with one nf_tables netlink
 * batch of libnftnl objects (src/egress/batch.c), without libnftables: the same table, counters, chains
 * and rules as libnftables makes of hs_egress_ruleset_as(cfg, true, comment). Fails, changing
 * nothing, when the table exists by commit time or the kernel refuses any part. 0 or -errno
 * (the kernel's). */
int hs_egress_nl_create(const struct hs_egress_cfg *cfg, const char *comment);
/* The same batch; replace true: it first deletes the table there is ("add table; delete
 * table", so that it also works when there is none), in the same transaction, so the old
 * rules give way to the new ones at once. A refused message is named in err (rule
 * egress.nftables: which message, for which entry, the kernel's errno). detach: the socket's
 * last close goes to a detached child (hs_nl_close_detached; *ret_child). 0 or < 0. */
int hs_egress_nl_load(const struct hs_egress_cfg *cfg, const char *comment, bool replace,
		      bool detach, pid_t *ret_child, struct hs_error *err);
/* The same batch on nf_tables' socket fd, which stays open. 0 or < 0 (err as above). */
int hs_egress_nl_send(int fd, const struct hs_egress_cfg *cfg, const char *comment, bool replace,
		      struct hs_error *err);

/* Install cfg's ruleset in the current network namespace. The table's comment names the
 * ruleset (HS_EGRESS_COMMENT_PREFIX + sha256 of hs_egress_ruleset's text): a namespace whose
 * table already carries the same name (a pod's later container, same policy) is left as it
 * is, without loading libnftables. */
#define HS_EGRESS_COMMENT_PREFIX "hardshim ruleset sha256:"
int hs_egress_install(const struct hs_egress_cfg *cfg, struct hs_error *err);
/* That name, NUL-terminated, into out. 0 or < 0 (the hash could not be computed). */
#define HS_EGRESS_NAME_SIZE (sizeof(HS_EGRESS_COMMENT_PREFIX) + 64)
int hs_egress_ruleset_name(const struct hs_egress_cfg *cfg, char out[HS_EGRESS_NAME_SIZE]);
/* The same, for a process that exits soon after (the hook): the rules are in force when it
 * returns 0. When the namespace had no table (a new container's), the table is created and
 * nothing is replaced: closing nftables' socket is then cheap. When it had one (a pod's later
 * container), the table is replaced and the last close of nftables' socket (8-12 ms in the
 * kernel) is left to a detached child (own session, stdio on /dev/null, no other inherited
 * fd) that waits for this process to exit, then closes it. *ret_child: that child's pid,
 * when there is one (tests); left untouched otherwise. Errors as hs_egress_install; no child
 * then. */
int hs_egress_install_exiting(const struct hs_egress_cfg *cfg, pid_t *ret_child,
			      struct hs_error *err);
/* The same, with cfg's name already computed (hs_egress_ruleset_name; NULL: computed here). */
int hs_egress_install_exiting_named(const struct hs_egress_cfg *cfg, const char *name,
				    pid_t *ret_child, struct hs_error *err);

/* What hardshim's table in the namespace of nf_tables' socket fd is (hs_egress_table_state):
 * none, another ruleset's, or the one named `want` (hs_egress_ruleset_name; NULL: never the
 * same). One read-only request, nothing allocated. < 0: cannot tell. */
enum { HS_EGRESS_TABLE_NONE, HS_EGRESS_TABLE_OTHER, HS_EGRESS_TABLE_SAME };
int hs_egress_table_state(int fd, const char *want);
/* cfg's rules on nf_tables' socket fd (made in the target namespace; any thread may send on
 * it), given state, that socket's answer to hs_egress_table_state: the same rules are left
 * as they are, a namespace without a table gets one batch that creates it (deleting
 * nothing), anything else (another table, one that appeared meanwhile, no answer) one batch
 * that replaces it. name: the table's comment (NULL: none). *ret_replaced: whether a replace
 * was sent (its socket's last close then waits in the kernel). 0 or < 0, err as
 * hs_egress_nl_load. The socket stays open. */
int hs_egress_install_on(int fd, const struct hs_egress_cfg *cfg, const char *name, int state,
			 bool *ret_replaced, struct hs_error *err);

struct hs_egress_counter {
	char name[32];
	uint64_t packets, bytes;
};
/* Read hardshim's named counters from the current network namespace. -ENOENT when there is
 * no hardshim table. Fills up to max, returns how many. */
int hs_egress_counters(struct hs_egress_counter *ret, size_t max, struct hs_error *err);
/* The counters' part of it: one GETOBJ dump of the table's counters, parsed with libnftnl
 * (batch.c); 0 counters when there is no table. */
int hs_egress_nl_counters(struct hs_egress_counter *ret, size_t max, struct hs_error *err);

/* Install cfg's rules in the network namespace at path (the one descriptor it opened and
 * judged: never the host's, rule egress.host-netns). The calling thread enters that
 * namespace only to make nf_tables' socket there and comes back at once (if it cannot, the
 * process exits: egress.netns on stderr); it then asks the table question
 * (hs_egress_table_state) and sends the batch, if any, on that socket from its own namespace
 * (hs_egress_install_on). No thread, no process. For hardshim's create path, before the
 * runtime runs (hs_egress_at_create). Errors as hs_egress_install; entering the namespace:
 * rule egress.netns. */
int hs_egress_install_at(const struct hs_egress_cfg *cfg, const char *path, struct hs_error *err);

/* The policy control (src/policy/egress.c). */
struct hs_control;
struct hs_json;
/* Does hardshim install the egress rules itself for this config (the caller said it can:
 * hs_check_ctx.egress_at_create), and where? When the container joins an existing network
 * namespace by path (a Kubernetes pod's, Podman's --network ns:PATH) on create or run, the
 * rules go in before the runtime runs, without the createRuntime hook (a second hardshim
 * process per container). *ret_path: that path, from the config. Restore keeps the hook
 * (restore: the event is HS_EVENT_RESTORE). */
bool hs_egress_at_create(const struct hs_json *config, bool caller_can, bool restore,
			 const char **ret_path);
/* Does hardshim's create install the egress rules after the runtime's create, in the
 * container init's own network namespace (src/cli/wait-runtime.c), instead of a hook? When
 * the caller can (hs_check_ctx.egress_at_create), the command is create (or check, which
 * predicts it: create true), the container has its own network namespace and it is not one
 * hs_egress_at_create serves before the runtime runs: one the runtime makes (no path), or a
 * /proc/PID/ns/net path. The egress control's finding egress.after-create says so. */
bool hs_egress_after_create(const struct hs_json *config, bool caller_can, bool create);
/* Install cfg's rules in the network namespace open at nsfd (what: the name errors give
 * it), judged as hs_egress_install_at judges its path's descriptor. */
int hs_egress_install_fd(const struct hs_egress_cfg *cfg, int nsfd, const char *what,
			 struct hs_error *err);
/* A deep copy of cfg into arena a (the create path keeps it past the pipeline's arena). */
int hs_egress_cfg_copy(struct hs_arena *a, const struct hs_egress_cfg *cfg,
		       struct hs_egress_cfg *ret);
extern const struct hs_control hs_control_egress;
/* The egress section among the sections a check ran with (struct hs_pipeline.controls,
 * after exceptions; its secure default when the section is absent), or NULL when the control
 * is switched off. `hook createRuntime` installs exactly this, and the hooks control admits
 * hardshim's own egress hook only as this section produces it. */
struct hs_control_cfg;
const struct hs_egress_cfg *hs_egress_in_force(const struct hs_control_cfg *controls);

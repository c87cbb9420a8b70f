build/obj/src/audit/policy.o: src/audit/policy.c include/hs-audit.h \
 include/hs-policy.h include/hs-json.h include/hs-util.h \
 include/hs-schema.h
include/hs-audit.h:
include/hs-policy.h:
include/hs-json.h:
include/hs-util.h:
include/hs-schema.h:

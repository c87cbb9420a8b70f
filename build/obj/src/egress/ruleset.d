build/obj/src/egress/ruleset.o: src/egress/ruleset.c include/hs-egress.h \
 include/hs-util.h
include/hs-egress.h:
include/hs-util.h:

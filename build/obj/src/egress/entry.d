build/obj/src/egress/entry.o: src/egress/entry.c include/hs-egress.h \
 include/hs-util.h
include/hs-egress.h:
include/hs-util.h:

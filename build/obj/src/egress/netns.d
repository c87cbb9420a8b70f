build/obj/src/egress/netns.o: src/egress/netns.c include/hs-egress.h \
 include/hs-util.h
include/hs-egress.h:
include/hs-util.h:

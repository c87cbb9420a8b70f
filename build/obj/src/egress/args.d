build/obj/src/egress/args.o: src/egress/args.c include/hs-egress.h \
 include/hs-util.h
include/hs-egress.h:
include/hs-util.h:

build/obj/src/egress/nft.o: src/egress/nft.c include/hs-dlopen.h \
 include/hs-util.h include/hs-egress.h
include/hs-dlopen.h:
include/hs-util.h:
include/hs-egress.h:

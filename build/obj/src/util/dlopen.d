build/obj/src/util/dlopen.o: src/util/dlopen.c include/hs-dlopen.h \
 include/hs-util.h
include/hs-dlopen.h:
include/hs-util.h:

build/obj/src/util/error.o: src/util/error.c include/hs-util.h
include/hs-util.h:

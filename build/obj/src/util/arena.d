build/obj/src/util/arena.o: src/util/arena.c include/hs-util.h
include/hs-util.h:

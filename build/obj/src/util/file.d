build/obj/src/util/file.o: src/util/file.c include/hs-util.h
include/hs-util.h:

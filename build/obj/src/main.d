build/obj/src/main.o: src/main.c include/hs-cli.h include/hs-util.h
include/hs-cli.h:
include/hs-util.h:

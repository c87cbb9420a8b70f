build/tests/test-egress-room: tests/unit/test-egress-room.c \
 include/hs-egress.h include/hs-util.h
include/hs-egress.h:
include/hs-util.h:

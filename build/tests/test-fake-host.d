build/tests/test-fake-host: tests/unit/support/fake-host.c \
 tests/unit/support/fake-host.h include/hs-host.h include/hs-util.h
tests/unit/support/fake-host.h:
include/hs-host.h:
include/hs-util.h:

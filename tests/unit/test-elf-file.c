/* SPDX-License-Identifier: Apache-2.0
 * hs_elf_fd_build_id (src/util/elf-file.c): the front reads its core's GNU build id from the
 * open file it will execveat, before anything of the file is trusted. The id read from a real
 * executable's file is the one the loader maps (this test's own, through dl_iterate_phdr); an
 * ELF file made here gives its id; and every truncation, every out-of-range or wrapping offset
 * and size, a note whose sizes run past its segment, and a header of another class or byte
 * order is -ENOEXEC with no id, never a read outside the file or the buffers (ASan and
 * valgrind run this test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hs-policy.h"
#include "hs-util.h"

/* A minimal ELF file: header, NPH program headers (the last a PT_NOTE), then the notes. */
struct img {
	unsigned char b[4096];
	size_t len;
	ElfW(Ehdr) * eh;
	ElfW(Phdr) * note;
};

static const unsigned char ID[20] = { 0xde, 0xad, 0xbe, 0xef, 1,  2,  3,  4,  5,  6,
				      7,    8,    9,    10,   11, 12, 13, 14, 15, 16 };
#define ID_HEX "deadbeef0102030405060708090a0b0c0d0e0f10"

static void put_note(struct img *m, uint32_t type, const char *name, uint32_t namesz,
		     const void *desc, uint32_t descsz)
{
	ElfW(Nhdr) n = { .n_namesz = namesz, .n_descsz = descsz, .n_type = type };

	memcpy(m->b + m->len, &n, sizeof(n));
	m->len += sizeof(n);
	memcpy(m->b + m->len, name, namesz);
	m->len += (namesz + 3) & ~3u;
	memcpy(m->b + m->len, desc, descsz);
	m->len += (descsz + 3) & ~3u;
}

static void make(struct img *m, int nph)
{
	memset(m, 0, sizeof(*m));
	m->eh = (ElfW(Ehdr) *)m->b;
	memcpy(m->eh->e_ident, ELFMAG, SELFMAG);
	m->eh->e_ident[EI_CLASS] = __ELF_NATIVE_CLASS == 64 ? ELFCLASS64 : ELFCLASS32;
	m->eh->e_ident[EI_DATA] = __BYTE_ORDER == __LITTLE_ENDIAN ? ELFDATA2LSB : ELFDATA2MSB;
	m->eh->e_ident[EI_VERSION] = EV_CURRENT;
	m->eh->e_type = ET_DYN;
	m->eh->e_version = EV_CURRENT;
	m->eh->e_ehsize = sizeof(ElfW(Ehdr));
	m->eh->e_phoff = sizeof(ElfW(Ehdr));
	m->eh->e_phentsize = sizeof(ElfW(Phdr));
	m->eh->e_phnum = (uint16_t)nph;
	m->len = sizeof(ElfW(Ehdr)) + (size_t)nph * sizeof(ElfW(Phdr));
	for (int i = 0; i < nph; i++)
		((ElfW(Phdr) *)(m->b + m->eh->e_phoff))[i].p_type = PT_LOAD;
	m->note = (ElfW(Phdr) *)(m->b + m->eh->e_phoff) + nph - 1;
	m->note->p_type = PT_NOTE;
	m->note->p_offset = m->len;
}

/* the image as a file: an fd to a memfd holding its first LEN bytes */
static int as_file(const struct img *m, size_t len)
{
	int fd = memfd_create("elf", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(hs_write_all(fd, m->b, len), 0);
	return fd;
}

static int id_of(const struct img *m, size_t len, char hex[129])
{
	int fd = as_file(m, len), r;

	memset(hex, 'x', 129);
	r = hs_elf_fd_build_id(fd, hex);
	close(fd);
	return r;
}

/* an image with another note first, then the GNU build id */
static void good(struct img *m)
{
	make(m, 3);
	put_note(m, NT_GNU_ABI_TAG, "GNU", 4, "\0\0\0\0\3\0\0\0\2\0\0\0\0\0\0\0", 16);
	put_note(m, NT_GNU_BUILD_ID, "GNU", 4, ID, sizeof(ID));
	m->note->p_filesz = m->len - m->note->p_offset;
}

static void test_made_file(void **state)
{
	struct img m;
	char hex[129];

	good(&m);
	assert_int_equal(id_of(&m, m.len, hex), 0);
	assert_string_equal(hex, ID_HEX);
}

static int main_id(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	hs_elf_build_id(info, data);
	return 1;
}

/* this test's own executable: the file says what the loader mapped */
static void test_own_executable(void **state)
{
	char mapped[129] = "", hex[129];
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	dl_iterate_phdr(main_id, mapped);
	assert_true(strlen(mapped) >= 16);
	assert_int_equal(hs_elf_fd_build_id(fd, hex), 0);
	assert_string_equal(hex, mapped);
	close(fd);
}

/* A -static-pie program (tests/unit/static/elf-self.c, linked as the front is) has no PT_PHDR
 * and no interpreter: the policy cache's key in it still carries its own build id, the one its
 * file holds. Without it a static core would silently cache nothing. */
static void test_static_pie_program(void **state)
{
	char self[4096], prog[4200], cmd[4300], out[256] = "", hex[129];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph;
	bool phdr = false, interp = false;
	FILE *p;
	int fd;

	assert_true(n > 0);
	self[n] = '\0';
	snprintf(prog, sizeof(prog), "%.*s/elf-self-static", (int)(strrchr(self, '/') - self),
		 self);
	fd = open(prog, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &eh, sizeof(eh), 0), sizeof(eh));
	assert_int_equal(eh.e_type, ET_DYN); /* position independent */
	for (int i = 0; i < eh.e_phnum; i++) {
		assert_int_equal(pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))),
				 sizeof(ph));
		phdr |= ph.p_type == PT_PHDR;
		interp |= ph.p_type == PT_INTERP;
	}
	assert_false(phdr);
	assert_false(interp);
	assert_int_equal(hs_elf_fd_build_id(fd, hex), 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "'%s'", prog);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, sizeof(out), p));
	assert_int_equal(pclose(p), 0);
	out[strcspn(out, "\n")] = '\0';
	assert_true(strlen(hex) >= 16);
	assert_string_equal(out, hex);
}

/* The main program's note from its load address agrees with the one PT_PHDR gives (a dynamic
 * PIE has both); a PT_PHDR that disagrees gives no id. */
struct phdr_copy {
	struct dl_phdr_info info;
	ElfW(Phdr) ph[64];
};

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct phdr_copy *c = data;

	(void)size;
	assert_true(info->dlpi_phnum <= 64);
	c->info = *info;
	memcpy(c->ph, info->dlpi_phdr, info->dlpi_phnum * sizeof(ElfW(Phdr)));
	c->info.dlpi_phdr = c->ph;
	return 1;
}

static void test_phdr_must_agree(void **state)
{
	static struct phdr_copy c;
	char hex[129], again[129];
	bool has_phdr = false;

	dl_iterate_phdr(first_object, &c);
	/* the copy's headers live elsewhere: PT_PHDR now points away from the load address */
	for (int i = 0; i < c.info.dlpi_phnum; i++)
		has_phdr |= c.ph[i].p_type == PT_PHDR;
	assert_true(has_phdr); /* this test program is a dynamic PIE */
	assert_false(hs_elf_build_id(&c.info, hex));
	assert_string_equal(hex, "");
	/* without PT_PHDR (as a -static-pie has it): the load address alone */
	for (int i = 0; i < c.info.dlpi_phnum; i++)
		if (c.ph[i].p_type == PT_PHDR)
			c.ph[i].p_type = PT_NULL;
	assert_true(hs_elf_build_id(&c.info, hex));
	dl_iterate_phdr(main_id, again);
	assert_string_equal(hex, again);
}

/* every prefix of a good file: no id until the whole note is there */
static void test_truncated(void **state)
{
	struct img m;
	char hex[129];

	good(&m);
	for (size_t len = 0; len < m.len; len++) {
		assert_int_equal(id_of(&m, len, hex), -ENOEXEC);
		assert_string_equal(hex, "");
	}
}

static void expect_refused(struct img *m)
{
	char hex[129];

	assert_int_equal(id_of(m, m->len, hex), -ENOEXEC);
	assert_string_equal(hex, "");
}

static void test_hostile_headers(void **state)
{
	struct img m;

	good(&m), m.b[0] = 0x7e, expect_refused(&m);
	good(&m), m.eh->e_ident[EI_CLASS] = ELFCLASSNONE, expect_refused(&m);
	good(&m), m.eh->e_ident[EI_DATA] ^= 3, expect_refused(&m); /* the other byte order */
	good(&m), m.eh->e_ident[EI_VERSION] = 0, expect_refused(&m);
	good(&m), m.eh->e_phentsize = sizeof(ElfW(Phdr)) - 1, expect_refused(&m);
	good(&m), m.eh->e_phnum = 0, expect_refused(&m);
	good(&m), m.eh->e_phnum = 0xffff, expect_refused(&m);
	good(&m), m.eh->e_phnum = 257, expect_refused(&m);
	good(&m), m.eh->e_phoff = m.len, expect_refused(&m);
	good(&m), m.eh->e_phoff = (ElfW(Off)) - 1, expect_refused(&m);
	good(&m), m.eh->e_phoff = (ElfW(Off)) - sizeof(ElfW(Phdr)), expect_refused(&m);
	/* the note segment out of the file, wrapping, larger than any real one */
	good(&m), m.note->p_offset = m.len, expect_refused(&m);
	good(&m), m.note->p_offset = (ElfW(Off)) - 8, expect_refused(&m);
	good(&m), m.note->p_filesz = (ElfW(Xword)) - 1, expect_refused(&m);
	good(&m), m.note->p_filesz += 1, expect_refused(&m);
	good(&m), m.note->p_filesz = 1 << 20, expect_refused(&m);
	/* no note segment at all */
	good(&m), m.note->p_type = PT_LOAD, expect_refused(&m);
}

static void test_hostile_notes(void **state)
{
	static const unsigned char big[80] = { 1 };
	struct img m;
	ElfW(Nhdr) * first;

	/* a note's name or desc size running past the segment (and wrapping when rounded) */
	good(&m);
	first = (ElfW(Nhdr) *)(m.b + m.note->p_offset);
	first->n_namesz = 0xffffffffu;
	expect_refused(&m);
	good(&m);
	first = (ElfW(Nhdr) *)(m.b + m.note->p_offset);
	first->n_descsz = 0xfffffffdu;
	expect_refused(&m);
	good(&m);
	first = (ElfW(Nhdr) *)(m.b + m.note->p_offset);
	first->n_descsz = (uint32_t)(m.note->p_filesz); /* within the file, past the segment */
	expect_refused(&m);
	/* the build id note cut short by its segment */
	good(&m), m.note->p_filesz -= 4, expect_refused(&m);
	/* not GNU's, too short, too long */
	make(&m, 1), put_note(&m, NT_GNU_BUILD_ID, "GNX", 4, ID, sizeof(ID));
	m.note->p_filesz = m.len - m.note->p_offset, expect_refused(&m);
	make(&m, 1), put_note(&m, NT_GNU_BUILD_ID, "GNU", 4, ID, 7);
	m.note->p_filesz = m.len - m.note->p_offset, expect_refused(&m);
	make(&m, 1), put_note(&m, NT_GNU_BUILD_ID, "GNU", 4, big, 65);
	m.note->p_filesz = m.len - m.note->p_offset, expect_refused(&m);
	/* a 64-byte id is the longest taken */
	make(&m, 1), put_note(&m, NT_GNU_BUILD_ID, "GNU", 4, big, 64);
	m.note->p_filesz = m.len - m.note->p_offset;
	{
		char hex[129];

		assert_int_equal(id_of(&m, m.len, hex), 0);
		assert_int_equal(strlen(hex), 128);
		assert_memory_equal(hex, "0100", 4);
	}
}

/* not a regular file: a directory, a pipe */
static void test_not_a_file(void **state)
{
	char hex[129];
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), p[2];

	assert_true(fd >= 0);
	assert_int_equal(hs_elf_fd_build_id(fd, hex), -ENOEXEC);
	close(fd);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(hs_elf_fd_build_id(p[0], hex), -ENOEXEC);
	assert_string_equal(hex, "");
	close(p[0]);
	close(p[1]);
	assert_int_equal(hs_elf_fd_build_id(-1, hex), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_made_file),          cmocka_unit_test(test_own_executable),
		cmocka_unit_test(test_static_pie_program), cmocka_unit_test(test_phdr_must_agree),
		cmocka_unit_test(test_truncated),          cmocka_unit_test(test_hostile_headers),
		cmocka_unit_test(test_hostile_notes),      cmocka_unit_test(test_not_a_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

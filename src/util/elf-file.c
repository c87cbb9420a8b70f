/* SPDX-License-Identifier: Apache-2.0
 * The GNU build id of an ELF file, read from an open file (the front reads it from the core it
 * is about to execveat: what is checked is what runs). The file is untrusted input until the
 * id matches: every offset and size is checked against the file's size and a fixed bound
 * before it is used, in size_t arithmetic that cannot wrap; only an ELF file of this machine's
 * class and byte order is read at all; a program header table or note segment larger than any
 * real executable has is refused. */
#include <elf.h>
#include <link.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs-util.h"

/* More program headers, or a larger note segment, than any real executable has: refused. */
#define ELF_MAX_PHNUM 256
#define ELF_MAX_NOTES 65536

/* Exactly len bytes at off, or -1 (a short read is the file's end: the file is malformed). */
static int pread_all(int fd, void *buf, size_t len, size_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ENOEXEC;
		done += (size_t)n;
	}
	return 0;
}

/* true when [off, off + len) lies within a file of size bytes, without wrapping */
static bool within(size_t off, size_t len, size_t size)
{
	return off <= size && len <= size - off;
}

/* The NT_GNU_BUILD_ID note in buf[0..len) as hex into HEX; true when found. Offsets only:
 * the bytes may be a file's (untrusted) or a loaded program's note segment. */
bool hs_elf_notes_build_id(const void *notes, size_t len, char hex[129])
{
	const unsigned char *buf = notes;
	size_t off = 0;

	while (len - off >= sizeof(ElfW(Nhdr))) {
		ElfW(Nhdr) n;
		size_t name, desc;

		memcpy(&n, buf + off, sizeof(n));
		off += sizeof(n);
		name = ((size_t)n.n_namesz + 3) & ~(size_t)3;
		if (name > len - off)
			return false;
		desc = ((size_t)n.n_descsz + 3) & ~(size_t)3;
		if (n.n_descsz > len - off - name)
			return false;
		if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 &&
		    !memcmp(buf + off, "GNU", 4) && n.n_descsz >= 8 && n.n_descsz <= 64) {
			const unsigned char *d = buf + off + name;

			for (size_t k = 0; k < n.n_descsz; k++) {
				hex[2 * k] = "0123456789abcdef"[d[k] >> 4];
				hex[2 * k + 1] = "0123456789abcdef"[d[k] & 15];
			}
			hex[2 * (size_t)n.n_descsz] = '\0';
			return true;
		}
		if (desc > len - off - name)
			return false; /* the last note's padding may run past: nothing follows it */
		off += name + desc;
	}
	return false;
}

int hs_elf_fd_build_id(int fd, char hex[129])
{
	ElfW(Ehdr) eh;
	unsigned char notes[ELF_MAX_NOTES];
	struct stat st;
	size_t size;
	int r;

	hex[0] = '\0';
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(eh))
		return -ENOEXEC;
	size = (size_t)st.st_size;
	if ((r = pread_all(fd, &eh, sizeof(eh), 0)) < 0)
		return r;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != (__ELF_NATIVE_CLASS == 64 ? ELFCLASS64 : ELFCLASS32) ||
	    eh.e_ident[EI_DATA] != (__BYTE_ORDER == __LITTLE_ENDIAN ? ELFDATA2LSB : ELFDATA2MSB) ||
	    eh.e_ident[EI_VERSION] != EV_CURRENT || eh.e_phentsize != sizeof(ElfW(Phdr)) ||
	    eh.e_phnum == 0 || eh.e_phnum > ELF_MAX_PHNUM ||
	    !within(eh.e_phoff, (size_t)eh.e_phnum * sizeof(ElfW(Phdr)), size))
		return -ENOEXEC;
	/* one program header at a time: a dozen small reads, no large buffer to fault in */
	for (size_t i = 0; i < eh.e_phnum; i++) {
		ElfW(Phdr) ph = { 0 };

		if ((r = pread_all(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph))) < 0)
			return r;
		if (ph.p_type != PT_NOTE)
			continue;
		if (ph.p_filesz > sizeof(notes) || !within(ph.p_offset, ph.p_filesz, size))
			return -ENOEXEC;
		if ((r = pread_all(fd, notes, ph.p_filesz, ph.p_offset)) < 0)
			return r;
		if (hs_elf_notes_build_id(notes, ph.p_filesz, hex))
			return 0;
	}
	return -ENOEXEC;
}

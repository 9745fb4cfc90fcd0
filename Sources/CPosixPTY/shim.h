#pragma once
// Swift's Glibc module is built without _XOPEN_SOURCE, which hides the pseudo-terminal
// functions; these are glibc's own prototypes, so nothing extra is linked.
#include <stddef.h>
int posix_openpt(int flags);
int grantpt(int fd);
int unlockpt(int fd);
int ptsname_r(int fd, char *buf, size_t buflen);

/* SPDX-License-Identifier: GPL-2.0-or-later */

/*
 * Passwords: from a file (never readable by others), the environment,
 * GOVC_URL or a no-echo prompt; held in one malloc'd buffer per server and
 * wiped when freed.  There is deliberately no password option.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "vmsnapcheck/cli.h"

#define PASSWORD_MAX 1024

void vmsc_password_free(char *pw)
{
	if (!pw)
		return;
	explicit_bzero(pw, strlen(pw));
	free(pw);
}

/* The one malloc'd copy of a password read into a stack buffer. */
static char *copy_password_n(const char *value, size_t len, struct vmsc_error *err)
{
	char *pw = malloc(len + 1);

	if (!pw) {
		vmsc_error_nomem(err);
		return NULL;
	}
	memcpy(pw, value, len);
	pw[len] = 0;
	return pw;
}

static char *copy_password(const char *value, struct vmsc_error *err)
{
	return copy_password_n(value, strlen(value), err);
}

static char *read_password_file(const char *path, struct vmsc_error *err)
{
	char buf[PASSWORD_MAX + 2]; /* one byte more tells an overlong file */
	struct stat st;
	size_t len = 0;
	ssize_t n;
	char *pw = NULL;
	int fd;

	/* read(2), not stdio: no copy of the secret left in a FILE buffer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		vmsc_error_set(err, VMSC_E_IO, "cannot open password file '%s': %s", path,
			       strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		vmsc_error_set(err, VMSC_E_IO, "cannot stat password file '%s': %s", path,
			       strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		vmsc_error_set(err, VMSC_E_IO, "password file '%s' is a directory", path);
		goto out;
	}
	/* As ssh does with private keys: a secret others can read is not one. */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		vmsc_error_set(err, VMSC_E_IO,
			       "password file '%s' is %s by others (mode %04o): chmod 600 '%s'", path,
			       (st.st_mode & (S_IRGRP | S_IROTH))   ? "readable"
			       : (st.st_mode & (S_IWGRP | S_IWOTH)) ? "writable"
								    : "usable",
			       (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	while (len < PASSWORD_MAX + 1) {
		n = read(fd, buf + len, PASSWORD_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			vmsc_error_set(err, VMSC_E_IO, "cannot read password file '%s': %s", path,
				       strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > PASSWORD_MAX) {
		vmsc_error_set(err, VMSC_E_IO,
			       "password file '%s' is too long: put only the password in it", path);
		goto out;
	}
	/* Editors add a final newline (CR LF on Windows); it is not part of the password. */
	if (len && buf[len - 1] == '\n') {
		len--;
		if (len && buf[len - 1] == '\r')
			len--;
	}
	if (memchr(buf, '\n', len) || memchr(buf, '\0', len)) {
		vmsc_error_set(err, VMSC_E_IO,
			       "password file '%s' holds more than one line: put only the password in it",
			       path);
		goto out;
	}
	if (len == 0) {
		vmsc_error_set(err, VMSC_E_IO, "password file '%s' is empty: put the password in it",
			       path);
		goto out;
	}
	pw = copy_password_n(buf, len, err);
out:
	explicit_bzero(buf, sizeof buf);
	if (fd >= 0)
		close(fd);
	return pw;
}

/* The password in GOVC_URL, only when GOVC_URL names this server. */
static char *govc_url_password(const struct vmsc_server *server)
{
	struct vmsc_server_url u;
	struct vmsc_error ignored;
	const char *v = vmsc_cli_env("GOVC_URL");
	char *pw = NULL;

	if (!v || vmsc_server_url_parse_auth(&u, v, NULL, &pw, &ignored) < 0)
		return NULL;
	if (strcmp(u.url, server->url.url) != 0) {
		vmsc_password_free(pw);
		pw = NULL;
	}
	vmsc_server_url_release(&u);
	return pw;
}

/*
 * The prompt has to put echo back whatever happens, so during it a signal
 * handler needs the terminal and its saved mode: the only file-level state
 * in this file, set and cleared around the read.
 */
static volatile sig_atomic_t prompt_signal;
static int prompt_fd = -1;
static struct termios prompt_saved;
static const int prompt_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define N_PROMPT_SIGNALS (sizeof prompt_signals / sizeof prompt_signals[0])

static void prompt_interrupted(int sig)
{
	tcsetattr(prompt_fd, TCSANOW, &prompt_saved);
	prompt_signal = sig;
}

static void write_all(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static char *prompt_password(const char *user, const char *host, struct vmsc_error *err)
{
	struct sigaction sa, old[N_PROMPT_SIGNALS];
	struct termios noecho;
	char buf[PASSWORD_MAX + 1], prompt[512], ch;
	size_t len = 0, i;
	bool too_long = false, eof = false;
	int tty, in, out, read_errno = 0;
	char *pw = NULL;

	tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	in = tty >= 0 ? tty : STDIN_FILENO;
	out = tty >= 0 ? tty : STDERR_FILENO;
	if (tcgetattr(in, &prompt_saved) < 0) {
		vmsc_error_set(err, VMSC_E_IO, "cannot read a password from the terminal: %s",
			       strerror(errno));
		goto out;
	}
	prompt_fd = in;
	prompt_signal = 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = prompt_interrupted;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < N_PROMPT_SIGNALS; i++)
		sigaddset(&sa.sa_mask, prompt_signals[i]);
	sa.sa_flags = 0; /* no SA_RESTART: the read below must return */
	for (i = 0; i < N_PROMPT_SIGNALS; i++)
		sigaction(prompt_signals[i], &sa, &old[i]);

	noecho = prompt_saved;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	noecho.c_lflag |= ECHONL; /* the Enter still moves to the next line */
	if (tcsetattr(in, TCSAFLUSH, &noecho) < 0) {
		read_errno = errno;
		goto restore;
	}
	if (user && host)
		snprintf(prompt, sizeof prompt, "Password for %s at %s: ", user, host);
	else if (host)
		snprintf(prompt, sizeof prompt, "Password for %s: ", host);
	else
		snprintf(prompt, sizeof prompt, "Password: ");
	write_all(out, prompt);

	/* One byte at a time: nothing read past the newline stays buffered. */
	while (!prompt_signal) {
		ssize_t n = read(in, &ch, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			read_errno = errno;
			break;
		}
		if (n == 0) {
			eof = true;
			break;
		}
		if (ch == '\n')
			break;
		if (len == PASSWORD_MAX)
			too_long = true;
		else
			buf[len++] = ch;
	}
	if (eof)
		write_all(out, "\n");
restore:
	tcsetattr(in, TCSAFLUSH, &prompt_saved);
	for (i = 0; i < N_PROMPT_SIGNALS; i++)
		sigaction(prompt_signals[i], &old[i], NULL);
	prompt_fd = -1;
	if (prompt_signal) {
		/* Now under the caller's handler (or the default action). */
		raise(prompt_signal);
		vmsc_error_set(err, VMSC_E_INTERRUPTED, "interrupted at the password prompt");
		goto out;
	}
	if (read_errno) {
		vmsc_error_set(err, VMSC_E_IO, "cannot read a password from the terminal: %s",
			       strerror(read_errno));
		goto out;
	}
	if (too_long) {
		vmsc_error_set(err, VMSC_E_USAGE, "password is longer than %d bytes", PASSWORD_MAX);
		goto out;
	}
	if (len == 0) {
		vmsc_error_set(err, VMSC_E_USAGE, "empty password: type the password, or use "
			       "--password-file or VMSNAPCHECK_PASSWORD");
		goto out;
	}
	pw = copy_password_n(buf, len, err);
out:
	explicit_bzero(buf, sizeof buf);
	explicit_bzero(&ch, sizeof ch);
	if (tty >= 0)
		close(tty);
	return pw;
}

char *vmsc_password_read(const struct vmsc_options *o, const struct vmsc_server *server,
			 struct vmsc_error *err)
{
	const char *v;
	char *pw;

	if (server && server->password_file)
		return read_password_file(server->password_file, err);
	if (o->password_file)
		return read_password_file(o->password_file, err);
	if ((v = vmsc_cli_env("VMSNAPCHECK_PASSWORD")))
		return copy_password(v, err);
	if (server && (pw = govc_url_password(server)))
		return pw;
	if ((v = vmsc_cli_env("GOVC_PASSWORD")))
		return copy_password(v, err);
	if (isatty(STDIN_FILENO))
		return prompt_password(vmsc_server_username(o, server),
				       server ? server->url.host : NULL, err);
	vmsc_error_set(err, VMSC_E_USAGE,
		       "no password: use --password-file, VMSNAPCHECK_PASSWORD or run on a terminal");
	return NULL;
}

/*
 * The environment is a second copy of a password read from it, readable
 * in /proc/PID/environ for the whole run: once every server's password is
 * read, overwrite the values in place (that is the memory environ shows)
 * and drop the variables.  GOVC_URL keeps its server, its password becomes
 * asterisks.
 */
void vmsc_password_forget_env(void)
{
	static const char *const vars[] = { "VMSNAPCHECK_PASSWORD", "GOVC_PASSWORD",
					    "VMSNAPCHECK_GUEST_PASSWORD" };
	size_t off, len;
	char *v;

	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		if ((v = getenv(vars[i]))) {
			explicit_bzero(v, strlen(v));
			unsetenv(vars[i]);
		}
	}
	if (!(v = getenv("GOVC_URL")))
		return;
	if (vmsc_url_password_span(v, &off, &len))
		memset(v + off, '*', len);
}


char *vmsc_guest_password_read(const char *file, struct vmsc_error *err)
{
	const char *v;

	if (file)
		return read_password_file(file, err);
	if ((v = vmsc_cli_env("VMSNAPCHECK_GUEST_PASSWORD")))
		return copy_password(v, err);
	vmsc_error_set(err, VMSC_E_USAGE, "no guest password: use --guest-password-file FILE or "
		       "VMSNAPCHECK_GUEST_PASSWORD");
	return NULL;
}

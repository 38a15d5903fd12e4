/* git.exe for the Windows build under Wine, in the tests only: there is no
 * Git for Windows here, so this runs the Linux git for the helper. Wine
 * starts a Linux program natively, but hands it Wine's start-up environment
 * instead of the caller's, leaves quotes on its arguments, loses its output
 * to pipes and cannot wait for it (measured with Wine 8.0). So this writes
 * the call's GIT_* variables, directory and arguments into a shell script,
 * has /bin/sh run it with output to files, waits for its status file, and
 * copies the output back. The scripts go to $GHOAUTH_WINE_SHIM_DIR. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static char *utf8(const wchar_t *text)
{
    int size = WideCharToMultiByte(CP_UTF8, 0, text, -1, NULL, 0, NULL, NULL);
    char *out = malloc(size > 0 ? size : 1);
    if (size <= 0 || !WideCharToMultiByte(CP_UTF8, 0, text, -1, out, size, NULL, NULL))
        out[0] = '\0';
    return out;
}

/* 'text', with every ' written as '\'' */
static void quoted(FILE *script, const char *text)
{
    fputc('\'', script);
    for (; *text; text++) {
        if (*text == '\'')
            fputs("'\\''", script);
        else
            fputc(*text, script);
    }
    fputc('\'', script);
}

/* Z:\tmp\x becomes /tmp/x; other drives have no Unix path. */
static int unix_path(const char *windows, char *out, size_t size)
{
    if ((windows[0] != 'Z' && windows[0] != 'z') || windows[1] != ':')
        return 0;
    snprintf(out, size, "%s", windows + 2);
    for (char *c = out; *c; c++)
        if (*c == '\\')
            *c = '/';
    return out[0] == '/';
}

static int copy_file(const char *unix, DWORD handle_id)
{
    char windows[4096];
    snprintf(windows, sizeof windows, "Z:%s", unix);
    FILE *file = fopen(windows, "rb");
    if (!file)
        return 0;
    HANDLE out = GetStdHandle(handle_id);
    char buffer[65536];
    size_t count;
    DWORD written;
    while ((count = fread(buffer, 1, sizeof buffer, file)) > 0)
        WriteFile(out, buffer, (DWORD)count, &written, NULL);
    fclose(file);
    DeleteFileA(windows);
    return 1;
}

int wmain(int argc, wchar_t **argv)
{
    const char *dir = getenv("GHOAUTH_WINE_SHIM_DIR");
    if (!dir) {
        fputs("git.exe (test shim): GHOAUTH_WINE_SHIM_DIR is not set\n", stderr);
        return 128;
    }
    char base[4096], path[4200];
    snprintf(base, sizeof base, "%s/call-%lu-%llu", dir, GetCurrentProcessId(),
             (unsigned long long)GetTickCount64());
    snprintf(path, sizeof path, "Z:%s.sh", base);
    FILE *script = fopen(path, "wb");
    if (!script)
        return 128;
    fputs("for name in $(env | sed -n 's/^\\(GIT_[A-Za-z0-9_]*\\)=.*/\\1/p'); do unset \"$name\"; done\n",
          script);
    wchar_t *environment = GetEnvironmentStringsW();
    for (wchar_t *variable = environment; *variable; variable += wcslen(variable) + 1) {
        char *text = utf8(variable);
        char *equals = strchr(text + 1, '=');
        if (equals && (strncmp(text, "GIT_", 4) == 0 || strncmp(text, "HOME=", 5) == 0 ||
                       strncmp(text, "XDG_CONFIG_HOME=", 16) == 0)) {
            *equals = '\0';
            fprintf(script, "export %s=", text);
            quoted(script, equals + 1);
            fputc('\n', script);
        }
        free(text);
    }
    FreeEnvironmentStringsW(environment);
    wchar_t cwd[4096];
    char unix_cwd[4096];
    if (GetCurrentDirectoryW(4096, cwd)) {
        char *text = utf8(cwd);
        if (unix_path(text, unix_cwd, sizeof unix_cwd)) {
            fputs("cd ", script);
            quoted(script, unix_cwd);
            fputs(" || exit 1\n", script);
        }
        free(text);
    }
    fputs("git", script);
    for (int i = 1; i < argc; i++) {
        char *text = utf8(argv[i]);
        fputc(' ', script);
        quoted(script, text);
        free(text);
    }
    fprintf(script, " >'%s.out' 2>'%s.err' </dev/null\n", base, base);
    fprintf(script, "echo $? >'%s.status.tmp' && mv '%s.status.tmp' '%s.status'\n", base, base,
            base);
    fclose(script);

    wchar_t command[8192];
    swprintf(command, 8192, L"Z:\\bin\\sh %hs.sh", base);
    STARTUPINFOW startup = {sizeof startup};
    PROCESS_INFORMATION process;
    if (!CreateProcessW(NULL, command, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &process))
        return 128;
    CloseHandle(process.hThread);
    CloseHandle(process.hProcess);

    /* Bounded: a git that never finishes fails the call after 20 s, with a
     * line that names the script, which is kept for a look. */
    snprintf(path, sizeof path, "Z:%s.status", base);
    FILE *status_file = NULL;
    for (int waited = 0; waited < 20000 && !(status_file = fopen(path, "rb")); waited += 5)
        Sleep(5);
    int status = 128;
    if (!status_file) {
        fprintf(stderr, "git.exe (test shim): no status from %s.sh after 20 s\n", base);
        return 128;
    }
    if (status_file) {
        if (fscanf(status_file, "%d", &status) != 1)
            status = 128;
        fclose(status_file);
        DeleteFileA(path);
    }
    char out[4200];
    snprintf(out, sizeof out, "%s.out", base);
    copy_file(out, STD_OUTPUT_HANDLE);
    snprintf(out, sizeof out, "%s.err", base);
    copy_file(out, STD_ERROR_HANDLE);
    snprintf(path, sizeof path, "Z:%s.sh", base);
    DeleteFileA(path);
    return status;
}

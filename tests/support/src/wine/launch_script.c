/* An ELF program that Wine starts natively when a Windows process runs it
 * under a `.exe` name: it runs the shell script of the same name without
 * `.exe`, with the same arguments. This is how the tests give the Windows
 * build a $BROWSER. Wine hands arguments over with any quotes still on. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char path[4096];
    ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
    if (length < 5)
        return 127;
    path[length] = '\0';
    if (strcmp(path + length - 4, ".exe") == 0)
        path[length - 4] = '\0';
    char *arguments[64] = {"sh", path};
    int count = 2;
    for (int i = 1; i < argc && count < 63; i++) {
        char *argument = argv[i];
        size_t size = strlen(argument);
        if (size >= 2 && argument[0] == '"' && argument[size - 1] == '"') {
            argument[size - 1] = '\0';
            argument++;
        }
        arguments[count++] = argument;
    }
    arguments[count] = NULL;
    execv("/bin/sh", arguments);
    return 127;
}

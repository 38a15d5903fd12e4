/* Lists Wine's Credential Manager as the tests see it: for each generic
 * credential, its target name on one line and its blob on the next. The
 * Windows counterpart of `secret-tool search` and `keyctl` in the tests. */
#include <windows.h>
#include <wincred.h>
#include <stdio.h>

int wmain(void)
{
    DWORD count = 0;
    PCREDENTIALW *credentials = NULL;
    if (!CredEnumerateW(NULL, 0, &count, &credentials))
        return GetLastError() == ERROR_NOT_FOUND ? 0 : 1;
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    for (DWORD i = 0; i < count; i++) {
        char name[65536];
        DWORD written;
        int length = WideCharToMultiByte(CP_UTF8, 0, credentials[i]->TargetName, -1,
                                         name, sizeof name, NULL, NULL);
        if (length > 0) {
            name[length - 1] = '\n';
            WriteFile(out, name, length, &written, NULL);
        }
        WriteFile(out, credentials[i]->CredentialBlob, credentials[i]->CredentialBlobSize,
                  &written, NULL);
        WriteFile(out, "\n", 1, &written, NULL);
    }
    CredFree(credentials);
    return 0;
}

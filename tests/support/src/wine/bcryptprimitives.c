/* A test-only stand-in for Windows 10's bcryptprimitives.dll, which Wine 8.0
 * lacks and Rust's std (1.78 and later) imports for ProcessPrng. It draws on
 * RtlGenRandom (SystemFunction036 in advapi32), which Wine has. Never shipped:
 * real Windows has the real DLL. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}

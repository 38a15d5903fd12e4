# Installs git-credential-ghoauth for Windows from this unpacked archive
# into your profile, with no administrator rights and no Rust:
#
#   powershell -ExecutionPolicy Bypass -File install.ps1 [-AddToPath] [-Uninstall [-Logout]]
#
# It copies the program into %LOCALAPPDATA%\Programs\git-credential-ghoauth,
# then asks before adding that folder to your user PATH (-AddToPath: add
# it without asking). -Uninstall first offers (or, with -Logout, goes on)
# to log out and revoke every token the helper obtained, then removes its
# git config, the folder and that PATH entry. It says everything it changed.
param([switch]$AddToPath, [switch]$Uninstall, [switch]$Logout)
$ErrorActionPreference = 'Stop'

$name = 'git-credential-ghoauth'
$target = Join-Path $env:LOCALAPPDATA "Programs\$name"

# The user PATH as the registry keeps it: usually REG_EXPAND_SZ, whose
# %VAR% entries must stay unexpanded. [Environment]::GetEnvironmentVariable
# would expand them, and SetEnvironmentVariable would write them back
# expanded, as REG_SZ, for good.
$environment = [Microsoft.Win32.Registry]::CurrentUser.CreateSubKey('Environment')
$userPath = $environment.GetValue('Path', '', [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
$entries = @($userPath -split ';' | Where-Object { $_ -ne '' })

function Set-UserPath([string[]]$NewEntries) {
    $environment.SetValue('Path', ($NewEntries -join ';'), [Microsoft.Win32.RegistryValueKind]::ExpandString)
    # Setting a variable through .NET broadcasts WM_SETTINGCHANGE, so that
    # Explorer (and the terminals it starts) see the new PATH; removing one
    # that does not exist changes nothing else.
    [Environment]::SetEnvironmentVariable('GHOAUTH_INSTALL_NOTIFY', $null, 'User')
}

if ($Uninstall) {
    $exe = Join-Path $target "$name.exe"
    if (Test-Path $exe) {
        # Revoking needs each app's settings, so it comes before they go.
        if (-not $Logout -and [Environment]::UserInteractive -and -not [Console]::IsInputRedirected) {
            $answer = Read-Host 'Log out of every host and revoke the tokens this helper obtained? [y/N]'
            $Logout = $answer -match '^[yY]'
        }
        if ($Logout) {
            & $exe logout --all
            if ($LASTEXITCODE -ne 0) { Write-Warning 'some tokens were not revoked (see above)' }
        } else {
            Write-Host "Tokens this helper obtained stay in Credential Manager; to revoke them, run first: & `"$exe`" logout --all"
        }
        & $exe unconfigure --all
    }
    if (Test-Path $target) {
        Remove-Item -Recurse -Force $target
        Write-Host "Removed $target."
    }
    if ($entries -contains $target) {
        Set-UserPath @($entries | Where-Object { $_ -ne $target })
        Write-Host "Removed $target from your user PATH."
    }
    exit 0
}

New-Item -ItemType Directory -Force -Path $target | Out-Null
foreach ($file in @("$name.exe", 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE')) {
    Copy-Item -Force (Join-Path $PSScriptRoot $file) $target
}
Write-Host "Installed $target\$name.exe."

if ($entries -notcontains $target) {
    if (-not $AddToPath) {
        $answer = Read-Host "Add $target to your user PATH, so that git finds the helper? [y/N]"
        $AddToPath = $answer -match '^[yY]'
    }
    if ($AddToPath) {
        Set-UserPath ($entries + $target)
        Write-Host "Added $target to your user PATH; terminals opened from now on see it."
    } else {
        # git hands the value to sh: quoted, a profile folder with a space
        # (C:\Users\Jane Doe) stays one path, and `/` is no escape.
        $program = (($target -replace '\\', '/') + "/$name.exe") -replace "'", "'\''"
        Write-Host "Your PATH is unchanged; git finds the helper by its full path:"
        Write-Host "    git config --global credential.helper `"!'$program'`""
    }
}
Write-Host "Set it up for github.com (it creates your own GitHub App, installs it and signs in):"
Write-Host "    & `"$target\$name.exe`" setup"

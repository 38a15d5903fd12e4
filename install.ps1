# Installs git-credential-ghoauth for Windows from this unpacked archive
# into your profile, with no administrator rights and no Rust:
#
#   powershell -ExecutionPolicy Bypass -File install.ps1 [-AddToPath] [-Uninstall]
#
# It copies the program into %LOCALAPPDATA%\Programs\git-credential-ghoauth,
# then asks before adding that folder to your user PATH (-AddToPath: add
# it without asking). -Uninstall removes the folder and that PATH entry.
# It says everything it changed.
param([switch]$AddToPath, [switch]$Uninstall)
$ErrorActionPreference = 'Stop'

$name = 'git-credential-ghoauth'
$target = Join-Path $env:LOCALAPPDATA "Programs\$name"
$userPath = [Environment]::GetEnvironmentVariable('Path', 'User')
if ($null -eq $userPath) { $userPath = '' }
$entries = @($userPath -split ';' | Where-Object { $_ -ne '' })

if ($Uninstall) {
    if (Test-Path $target) {
        & (Join-Path $target "$name.exe") unconfigure --all
        Remove-Item -Recurse -Force $target
        Write-Host "Removed $target."
    }
    if ($entries -contains $target) {
        $kept = $entries | Where-Object { $_ -ne $target }
        [Environment]::SetEnvironmentVariable('Path', ($kept -join ';'), 'User')
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
        [Environment]::SetEnvironmentVariable('Path', (($entries + $target) -join ';'), 'User')
        Write-Host "Added $target to your user PATH; terminals opened from now on see it."
    } else {
        Write-Host "Your PATH is unchanged; git finds the helper by its full path:"
        Write-Host "    git config --global credential.helper `"$($target -replace '\\', '/')/$name.exe`""
    }
}
Write-Host "Set it up for github.com (it creates your own GitHub App, installs it and signs in):"
Write-Host "    & `"$target\$name.exe`" setup"

; 衔接 Xianjie — Windows installer (NSIS 3, Unicode). installer/windows/README.md has the
; build steps, the silent-install commands, the paths, the exit codes and what is untested.
;
; Build (on Windows, or on Linux with the nsis package; the bundle is built on Windows):
;   makensis /DDIST_DIR=C:\src\xianjie\dist\xianjie /DVERSION=0.1.0 installer\windows\xianjie.nsi
; Optional defines:
;   /DOUTFILE=path\setup.exe   where to write the installer (default: xianjie-VERSION-setup.exe
;                              beside this script)
;   /DVI_VERSION=0.1.0.0       the four-part file version (default: VERSION.0)
;   /DGUI_EXE=xianjie.exe      the executable the shortcuts start (default: xianjie.exe)
;   /DICON=path\xianjie.ico    installer and uninstaller icon
;   /DPUBLISHER=...            the publisher shown in Add/Remove Programs
;
; Installer command line (besides NSIS's own /S and /D=DIR, which must come last):
;   /SITE=path\site.toml   copy this site config to %ProgramData%\Xianjie\site.toml
;   /CA=path\ca.pem        copy this CA bundle to %ProgramData%\Xianjie\ca.pem
;   /PLATFORM=URL          write a site.toml with this platform URL (with /UNIT=CODE)
;   /UNIT=CODE             ... and this unit code
;   /DESKTOP, /NODESKTOP   create the desktop shortcut or not (default: yes with the wizard,
;                          no in silent mode)
; Without /SITE, a site.toml (and ca.pem) beside setup.exe is used. An existing
; %ProgramData%\Xianjie\site.toml or ca.pem is never replaced: upgrades keep admin edits.

Unicode true
Target amd64-unicode
ManifestDPIAware true
ManifestSupportedOS all
RequestExecutionLevel admin
SetCompressor /SOLID lzma

!ifndef DIST_DIR
  !error "Pass the PyInstaller onedir folder: makensis /DDIST_DIR=...\dist\xianjie /DVERSION=x.y.z xianjie.nsi"
!endif
!ifndef VERSION
  !error "Pass the version: makensis /DVERSION=x.y.z ..."
!endif
!define /ifndef GUI_EXE "xianjie.exe"
!define /ifndef OUTFILE "xianjie-${VERSION}-setup.exe"
!define /ifndef VI_VERSION "${VERSION}.0"
!define /ifndef PUBLISHER "衔接 Xianjie"
!define APP_NAME "衔接 Xianjie"
!define APP_KEY "Xianjie"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_KEY}"
!define APP_REG "Software\${APP_KEY}"
!define SHORTCUT "${APP_NAME}.lnk"
!define MIN_BUILD 17763 ; Windows 10 1809: the oldest Windows that Qt 6 supports

!if /FileExists "${DIST_DIR}\${GUI_EXE}"
!else
  !error "${DIST_DIR}\${GUI_EXE} not found: DIST_DIR must be the onedir folder holding ${GUI_EXE}"
!endif

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "WinVer.nsh"
!include "x64.nsh"
!include "Sections.nsh"

Name "${APP_NAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\Xianjie"
BrandingText "${APP_NAME} ${VERSION}"
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${VI_VERSION}"
VIFileVersion "${VI_VERSION}"
VIAddVersionKey /LANG=0 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP_NAME} 安装程序"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}"

Var SiteDir        ; %ProgramData%\Xianjie
Var SiteArg        ; /SITE=
Var CaArg          ; /CA=
Var PlatformArg    ; /PLATFORM=
Var UnitArg        ; /UNIT=
Var Previous       ; install folder of the version being upgraded, or ""

; --------------------------------------------------------------------------- pages

!define MUI_ABORTWARNING
!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

; --------------------------------------------------------------------------- strings

LangString SecAppName ${LANG_SIMPCHINESE} "衔接程序文件"
LangString SecAppName ${LANG_ENGLISH} "Xianjie program files"
LangString SecDesktopName ${LANG_SIMPCHINESE} "桌面快捷方式"
LangString SecDesktopName ${LANG_ENGLISH} "Desktop shortcut"
LangString SecAppDesc ${LANG_SIMPCHINESE} "程序文件和开始菜单快捷方式（必需）。"
LangString SecAppDesc ${LANG_ENGLISH} "The program files and the Start menu shortcut (required)."
LangString SecDesktopDesc ${LANG_SIMPCHINESE} "在所有用户的桌面上放一个衔接快捷方式。"
LangString SecDesktopDesc ${LANG_ENGLISH} "A Xianjie shortcut on every user's desktop."
LangString MsgNeedX64 ${LANG_SIMPCHINESE} "衔接需要 64 位（x64）Windows 10 1809 或更新版本、Windows 11。本机不是 x64 系统，安装已取消。"
LangString MsgNeedX64 ${LANG_ENGLISH} "Xianjie needs 64-bit (x64) Windows 10 1809 or later, or Windows 11. This computer is not x64; setup was cancelled."
LangString MsgNeedWin10 ${LANG_SIMPCHINESE} "衔接需要 Windows 10 1809（内部版本 17763）或更新版本、Windows 11。Windows 7、8 和更早的 Windows 10 不受 Qt 6 支持，安装已取消。"
LangString MsgNeedWin10 ${LANG_ENGLISH} "Xianjie needs Windows 10 1809 (build 17763) or later, or Windows 11. Qt 6 does not support Windows 7, 8 or older Windows 10; setup was cancelled."
LangString MsgAppRunning ${LANG_SIMPCHINESE} "衔接正在运行（可能是其他用户打开的）。请先关闭所有衔接窗口，再点“重试”。"
LangString MsgAppRunning ${LANG_ENGLISH} "Xianjie is running (perhaps in another user's session). Close every Xianjie window, then click Retry."
LangString MsgSiteMissing ${LANG_SIMPCHINESE} "找不到 /SITE= 指定的站点配置文件："
LangString MsgSiteMissing ${LANG_ENGLISH} "The site config given with /SITE= was not found: "
LangString MsgCaMissing ${LANG_SIMPCHINESE} "找不到 /CA= 指定的证书文件："
LangString MsgCaMissing ${LANG_ENGLISH} "The CA bundle given with /CA= was not found: "
LangString MsgBadPlatform ${LANG_SIMPCHINESE} "/PLATFORM= 应为以 http:// 或 https:// 开头的网址，且不能含有引号、反斜杠或空格："
LangString MsgBadPlatform ${LANG_ENGLISH} "/PLATFORM= must be a URL starting with http:// or https://, without quotes, backslashes or spaces: "
LangString MsgBadUnit ${LANG_SIMPCHINESE} "/UNIT= 应为单位代码，不能含有引号、反斜杠或空格："
LangString MsgBadUnit ${LANG_ENGLISH} "/UNIT= must be a unit code without quotes, backslashes or spaces: "
LangString MsgSiteKept ${LANG_SIMPCHINESE} "保留已有的站点配置："
LangString MsgSiteKept ${LANG_ENGLISH} "Kept the existing site config: "
LangString MsgSiteCopied ${LANG_SIMPCHINESE} "已复制站点配置："
LangString MsgSiteCopied ${LANG_ENGLISH} "Copied the site config: "
LangString MsgSiteWritten ${LANG_SIMPCHINESE} "已按安装参数写入站点配置："
LangString MsgSiteWritten ${LANG_ENGLISH} "Wrote the site config from the setup parameters: "
LangString MsgSiteNone ${LANG_SIMPCHINESE} "未提供站点配置：衔接将以单机、离线方式运行，之后可把 site.toml 放到 "
LangString MsgSiteNone ${LANG_ENGLISH} "No site config given: Xianjie runs standalone and offline; a site.toml can be put in "
LangString MsgSiteFailed ${LANG_SIMPCHINESE} "无法写入站点配置，安装已停止（程序文件未改动）："
LangString MsgSiteFailed ${LANG_ENGLISH} "Cannot write the site config; setup stopped (program files unchanged): "
LangString MsgUpgrade ${LANG_SIMPCHINESE} "升级：删除旧版本的程序文件（站点配置和用户数据保留）："
LangString MsgUpgrade ${LANG_ENGLISH} "Upgrade: removing the old program files (site config and user data stay): "
LangString MsgNotInstalled ${LANG_SIMPCHINESE} "这个文件夹里没有安装衔接，未做任何改动："
LangString MsgNotInstalled ${LANG_ENGLISH} "Xianjie is not installed in this folder; nothing was changed: "
LangString MsgKeptData ${LANG_SIMPCHINESE} "已保留站点配置 %ProgramData%\Xianjie 和各用户的数据 %LOCALAPPDATA%\Xianjie（删除方法见安装说明）。"
LangString MsgKeptData ${LANG_ENGLISH} "Kept the site config in %ProgramData%\Xianjie and each user's data in %LOCALAPPDATA%\Xianjie (see the install notes to remove them)."

; --------------------------------------------------------------------------- helpers

; Push PARAMETERS, Push "/NAME="; Call GetArg; Pop VALUE.
; The value runs to the next space, or is "quoted"; the name matches case-insensitively at
; the start or after a space. Sets the error flag when the option is absent. (FileFunc's
; GetOptions would cut an unquoted URL at its first "/".)
Function GetArg
  Exch $1
  Exch
  Exch $0
  Push $2
  Push $3
  Push $4
  Push $5
  ClearErrors
  StrLen $3 $1
  StrCpy $2 0
  search:
    StrCpy $4 $0 $3 $2
    StrCmp $4 "" notfound
    StrCmp $4 $1 0 next
    IntCmp $2 0 found
    IntOp $5 $2 - 1
    StrCpy $5 $0 1 $5
    StrCmp $5 " " found
  next:
    IntOp $2 $2 + 1
    Goto search
  found:
    IntOp $2 $2 + $3
    StrCpy $0 $0 "" $2
    StrCpy $5 " "
    StrCpy $4 $0 1
    StrCmp $4 '"' 0 +3
      StrCpy $5 '"'
      StrCpy $0 $0 "" 1
    StrCpy $2 0
  scan:
    StrCpy $4 $0 1 $2
    StrCmp $4 "" cut
    StrCmp $4 $5 cut
    IntOp $2 $2 + 1
    Goto scan
  cut:
    StrCpy $0 $0 $2
    Goto done
  notfound:
    StrCpy $0 ""
    SetErrors
  done:
  Pop $5
  Pop $4
  Pop $3
  Pop $2
  Pop $1
  Exch $0
FunctionEnd

; ${GetArg} OUT "/NAME=" — the value, or "" with the error flag set when absent.
!macro GetArgCall OUT NAME
  ${GetParameters} ${OUT}
  Push ${OUT}
  Push "${NAME}"
  Call GetArg
  Pop ${OUT}
!macroend
!define GetArg "!insertmacro GetArgCall"

; Push TEXT; Call IsPlainValue; Pop "1" or "0": no quote, backslash, space, tab or newline,
; so the value can sit in a TOML basic string as it is.
Function IsPlainValue
  Exch $0
  Push $1
  Push $2
  StrCpy $1 0
  loop:
    StrCpy $2 $0 1 $1
    StrCmp $2 "" plain
    StrCmp $2 '"' bad
    StrCmp $2 "\" bad
    StrCmp $2 " " bad
    StrCmp $2 "$\t" bad
    StrCmp $2 "$\r" bad
    StrCmp $2 "$\n" bad
    IntOp $1 $1 + 1
    Goto loop
  bad:
    StrCpy $0 0
    Goto done
  plain:
    StrCpy $0 1
  done:
  Pop $2
  Pop $1
  Exch $0
FunctionEnd

; Refuse (exit code 2) with a message; in silent mode the message is not shown.
!macro Refuse MESSAGE
  MessageBox MB_OK|MB_ICONSTOP "${MESSAGE}" /SD IDOK
  SetErrorLevel 2
  Quit
!macroend

; Push DIR; Call CheckNotRunning: is the installed program in use (here or in another
; user's session)? Opening its executable for writing fails then. Asks to close it and
; retry; in silent mode, or on Cancel, setup ends with exit code 2.
!macro CheckNotRunningBody UN
Function ${UN}CheckNotRunning
  Exch $0
  Push $1
  ${If} ${FileExists} "$0\${GUI_EXE}"
    retry:
    ClearErrors
    FileOpen $1 "$0\${GUI_EXE}" a
    ${If} ${Errors}
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(MsgAppRunning)" /SD IDCANCEL IDRETRY retry
      SetErrorLevel 2
      Quit
    ${EndIf}
    FileClose $1
  ${EndIf}
  Pop $1
  Pop $0
FunctionEnd
!macroend
!insertmacro CheckNotRunningBody ""
!insertmacro CheckNotRunningBody "un."

; --------------------------------------------------------------------------- install


; Remove the program files an earlier version installed: its executables (xianjie*.exe: the
; onedir holds nothing else at its top) and _internal\ only, never the folder as a whole (/D=
; may name a folder with other programs), never ProgramData or user data.
!macro RemoveProgramFiles DIR
  Delete "${DIR}\xianjie*.exe"
  RMDir /r "${DIR}\_internal"
!macroend

; The site config could not be written: stop before the program files change (exit code 2).
Function SiteWriteFailed
  MessageBox MB_OK|MB_ICONSTOP "$(MsgSiteFailed)$SiteDir" /SD IDOK
  SetErrorLevel 2
  Abort
FunctionEnd

; Seed %ProgramData%\Xianjie\site.toml and ca.pem, only when none exists yet.
Function SeedSiteConfig
  CreateDirectory "$SiteDir"
  ; ProgramData lets every user create files; the site config names the platform and the CA
  ; the app trusts, so only administrators and SYSTEM may write here, users only read.
  nsExec::ExecToLog '"$SYSDIR\icacls.exe" "$SiteDir" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX'
  Pop $1
  ${If} $1 != 0
    DetailPrint "icacls $SiteDir: $1"
  ${EndIf}
  StrCpy $0 ""
  ${If} $CaArg != ""
    StrCpy $0 $CaArg
  ${ElseIf} ${FileExists} "$EXEDIR\ca.pem"
    StrCpy $0 "$EXEDIR\ca.pem"
  ${EndIf}
  ${If} $0 != ""
    ${If} ${FileExists} "$SiteDir\ca.pem"
      DetailPrint "$(MsgSiteKept)$SiteDir\ca.pem"
    ${Else}
      ClearErrors
      CopyFiles /SILENT /FILESONLY "$0" "$SiteDir\ca.pem"
      ${If} ${Errors}
        Call SiteWriteFailed
      ${EndIf}
      DetailPrint "$(MsgSiteCopied)$0 -> $SiteDir\ca.pem"
    ${EndIf}
  ${EndIf}

  ${If} ${FileExists} "$SiteDir\site.toml"
    DetailPrint "$(MsgSiteKept)$SiteDir\site.toml"
    Return
  ${EndIf}
  ${If} $SiteArg != ""
    ClearErrors
    CopyFiles /SILENT /FILESONLY "$SiteArg" "$SiteDir\site.toml"
    ${If} ${Errors}
      Call SiteWriteFailed
    ${EndIf}
    DetailPrint "$(MsgSiteCopied)$SiteArg -> $SiteDir\site.toml"
  ${ElseIf} ${FileExists} "$EXEDIR\site.toml"
    ClearErrors
    CopyFiles /SILENT /FILESONLY "$EXEDIR\site.toml" "$SiteDir\site.toml"
    ${If} ${Errors}
      Call SiteWriteFailed
    ${EndIf}
    DetailPrint "$(MsgSiteCopied)$EXEDIR\site.toml -> $SiteDir\site.toml"
  ${ElseIf} $PlatformArg != ""
  ${OrIf} $UnitArg != ""
    ; The keys of app/site_config.py. The values were checked by IsPlainValue, so they sit in
    ; TOML basic strings as they are; the CA path is a literal string (backslashes as is).
    ClearErrors
    FileOpen $1 "$SiteDir\site.toml" w
    ${If} ${Errors}
      Call SiteWriteFailed
    ${EndIf}
    FileWrite $1 "# Written by the Xianjie installer from its parameters; edit as needed.$\r$\n"
    FileWrite $1 "# Keys: README.md, $\"Site configuration$\". This file is kept on upgrade.$\r$\n"
    FileWrite $1 "$\r$\n[platform]$\r$\n"
    ${If} $PlatformArg != ""
      FileWrite $1 'url = "$PlatformArg"$\r$\n'
    ${EndIf}
    ${If} ${FileExists} "$SiteDir\ca.pem"
      FileWrite $1 "ca_bundle = '$SiteDir\ca.pem'$\r$\n"
    ${EndIf}
    ${If} $UnitArg != ""
      FileWrite $1 '$\r$\n[unit]$\r$\ncode = "$UnitArg"$\r$\n'
    ${EndIf}
    FileClose $1
    DetailPrint "$(MsgSiteWritten)$SiteDir\site.toml"
  ${Else}
    DetailPrint "$(MsgSiteNone)$SiteDir\site.toml"
  ${EndIf}
FunctionEnd

Section "!$(SecAppName)" SecApp
  SectionIn RO
  SetShellVarContext all
  SetRegView 64
  Push $INSTDIR
  Call CheckNotRunning
  ${If} $Previous != ""
  ${AndIf} $Previous != $INSTDIR
    Push $Previous
    Call CheckNotRunning
  ${EndIf}
  ; The site config first: when it cannot be written nothing else has changed yet.
  Call SeedSiteConfig
  ${If} $Previous != ""
    DetailPrint "$(MsgUpgrade)$Previous"
    !insertmacro RemoveProgramFiles "$Previous"
    Delete "$Previous\uninstall.exe"
    ${If} $Previous != $INSTDIR
      RMDir "$Previous" ; only if empty
    ${EndIf}
  ${Else}
    !insertmacro RemoveProgramFiles "$INSTDIR"
  ${EndIf}

  SetOutPath "$INSTDIR"
  SetOverwrite on
  File /r "${DIST_DIR}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${SHORTCUT}" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0

  WriteRegStr HKLM "${APP_REG}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${APP_REG}" "Version" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${GUI_EXE},0"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "$(SecDesktopName)" SecDesktop
  SetShellVarContext all
  CreateShortcut "$DESKTOP\${SHORTCUT}" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0
SectionEnd

; .onInit comes after the sections: it selects ${SecDesktop}, defined by its Section.
Function .onInit
  SetShellVarContext all
  SetRegView 64
  ${IfNot} ${IsNativeAMD64}
    !insertmacro Refuse "$(MsgNeedX64)"
  ${EndIf}
  ${IfNot} ${AtLeastWin10}
  ${OrIfNot} ${AtLeastBuild} ${MIN_BUILD}
    !insertmacro Refuse "$(MsgNeedWin10)"
  ${EndIf}
  StrCpy $SiteDir "$APPDATA\Xianjie" ; all users (SetShellVarContext all): %ProgramData%

  ; An earlier install: upgrade it in place unless /D= names another folder.
  ReadRegStr $Previous HKLM "${UNINST_KEY}" "InstallLocation"
  ${If} $Previous != ""
  ${AndIf} $INSTDIR == "$PROGRAMFILES64\Xianjie"
    StrCpy $INSTDIR $Previous
  ${EndIf}

  ${GetArg} $SiteArg "/SITE="
  ${GetArg} $CaArg "/CA="
  ${GetArg} $PlatformArg "/PLATFORM="
  ${GetArg} $UnitArg "/UNIT="
  ${If} $SiteArg != ""
  ${AndIfNot} ${FileExists} "$SiteArg"
    !insertmacro Refuse "$(MsgSiteMissing)$SiteArg"
  ${EndIf}
  ${If} $CaArg != ""
  ${AndIfNot} ${FileExists} "$CaArg"
    !insertmacro Refuse "$(MsgCaMissing)$CaArg"
  ${EndIf}
  ${If} $PlatformArg != ""
    Push $PlatformArg
    Call IsPlainValue
    Pop $0
    StrCpy $1 $PlatformArg 7
    StrCpy $2 $PlatformArg 8
    ${If} $1 != "http://"
    ${AndIf} $2 != "https://"
      StrCpy $0 0
    ${EndIf}
    ${If} $0 != 1
      !insertmacro Refuse "$(MsgBadPlatform)$PlatformArg"
    ${EndIf}
  ${EndIf}
  ${If} $UnitArg != ""
    Push $UnitArg
    Call IsPlainValue
    Pop $0
    ${If} $0 != 1
      !insertmacro Refuse "$(MsgBadUnit)$UnitArg"
    ${EndIf}
  ${EndIf}

  ; Desktop shortcut: on with the wizard (it can be unticked), off in silent mode;
  ; /DESKTOP or /NODESKTOP decide in both.
  ${If} ${Silent}
    !insertmacro UnselectSection ${SecDesktop}
  ${EndIf}
  ${GetArg} $0 "/DESKTOP"
  ${IfNot} ${Errors}
  ${AndIf} $0 == ""
    !insertmacro SelectSection ${SecDesktop}
  ${EndIf}
  ${GetArg} $0 "/NODESKTOP"
  ${IfNot} ${Errors}
  ${AndIf} $0 == ""
    !insertmacro UnselectSection ${SecDesktop}
  ${EndIf}
FunctionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecApp} "$(SecAppDesc)"
  !insertmacro MUI_DESCRIPTION_TEXT ${SecDesktop} "$(SecDesktopDesc)"
!insertmacro MUI_FUNCTION_DESCRIPTION_END

; A file replaced only at the next reboot (it was in use) makes the exit code 3010, which
; deployment tools read as "success, restart needed".
Function .onInstSuccess
  IfRebootFlag 0 +2
    SetErrorLevel 3010
FunctionEnd

; --------------------------------------------------------------------------- uninstall

Function un.onInit
  SetShellVarContext all
  SetRegView 64
  ; A wrong _?= folder would remove the registry entries and leave the files: refuse it.
  ${IfNot} ${FileExists} "$INSTDIR\uninstall.exe"
    MessageBox MB_OK|MB_ICONSTOP "$(MsgNotInstalled)$INSTDIR" /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
FunctionEnd

Section "Uninstall"
  SetShellVarContext all
  SetRegView 64
  Push $INSTDIR
  Call un.CheckNotRunning
  Delete "$SMPROGRAMS\${SHORTCUT}"
  Delete "$DESKTOP\${SHORTCUT}"
  !insertmacro RemoveProgramFiles "$INSTDIR"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR" ; only if empty: nothing that is not ours is removed
  DeleteRegKey HKLM "${UNINST_KEY}"
  DeleteRegKey HKLM "${APP_REG}"
  ; %ProgramData%\Xianjie (site config) and %LOCALAPPDATA%\Xianjie (each user's database,
  ; attachments, backups and logs) stay: installer/windows/README.md says how to remove them.
  DetailPrint "$(MsgKeptData)"
SectionEnd

Function un.onUninstSuccess
  IfRebootFlag 0 +2
    SetErrorLevel 3010
FunctionEnd

import Core
print(LGSPVersion.current)

@_exported import ComptoirContracts

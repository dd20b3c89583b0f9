"""Wages: employers' signed payroll lines, workers' acknowledgements, the compliance engine."""

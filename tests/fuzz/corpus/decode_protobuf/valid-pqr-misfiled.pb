
e-1€Ê¯€Ï€…b
R-1wrong causal
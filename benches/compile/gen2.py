import sys
# the shape of tests/large.rs: blocks of 4 statements, 20 float ops, over three carried scalars
BLOCK = """    a = (a * b - c.sin() * 0.5).tanh();
    b = b * 0.9 + (a - c).cos() * 0.1;
    c = (c + a * b).sin() * 0.5 + 0.25;
    a = a * 0.5 + (b * c).sin() * 0.5;
"""
ops = int(sys.argv[1]); grad = sys.argv[2] == "1"
src = ("#[autodiff::grad]\n" if grad else "") + f"pub fn f{ops}(x: [f64; 3]) -> f64 {{\n    let mut a = x[0];\n    let mut b = x[1];\n    let mut c = x[2];\n"
src += BLOCK * (ops // 20) + "    a + b + c\n}\n"
print(src, end="")
